/** Explicit limits, shared by server checks, UI hints and the typed client. */
export const LIMITS = {
  /** Serialized project document, in bytes (UTF-8 JSON). */
  maxDocumentBytes: 20 * 1024 * 1024,
  /** One uploaded asset, in bytes. Override with LATTICE_MAX_UPLOAD_MB. */
  defaultMaxUploadBytes: 2 * 1024 * 1024 * 1024,
  /** One ComfyUI output stored as an asset (an image or a video), in bytes. Override with LATTICE_MAX_OUTPUT_MB. */
  defaultMaxOutputBytes: 4 * 1024 * 1024 * 1024,
  /** An uploaded ComfyUI workflow (API-format JSON), in bytes. */
  maxWorkflowBytes: 10 * 1024 * 1024,
  maxProjectNameLength: 200,
  maxAssetNameLength: 255,
  /** Composition size bounds; width and height are multiples of 8 (video model requirement). */
  minDimension: 8,
  maxDimension: 8192,
  maxFps: 240,
  maxFrameCount: 100_000,
  maxListPageSize: 100,
  maxApiTokensPerUser: 50,
  minPasswordLength: 8,
} as const
