import { z } from 'zod'

/**
 * What an export can produce, as the API, the editor's dialog and the typed client all take it.
 * An export renders one composition over a frame range at one size, and writes any number of
 * outputs: videos and image sequences of a pass, and camera trajectory files.
 */

export const EXPORT_LIMITS = {
  /** Frames in one export. */
  maxFrames: 10_000,
  /** Output width or height, pixels. */
  maxDimension: 4096,
  minDimension: 16,
  /** Outputs (videos, sequences, camera files) in one export. */
  maxOutputs: 12,
  maxNameLength: 120,
} as const

export const VIDEO_FORMATS = ['h264', 'h265', 'vp9', 'prores4444', 'gif'] as const
export const videoFormatSchema = z.enum(VIDEO_FORMATS)
export type VideoFormat = z.infer<typeof videoFormatSchema>

/** `png16` is 16-bit greyscale, for depth. */
export const SEQUENCE_FORMATS = ['png', 'jpeg', 'png16'] as const
export const sequenceFormatSchema = z.enum(SEQUENCE_FORMATS)
export type SequenceFormat = z.infer<typeof sequenceFormatSchema>

/**
 * How depth becomes grey levels (see README "Export"):
 * - `normalized`: linear in eye distance over the range, near = white, far/empty = black;
 * - `inverse`: MiDaS / Depth Anything style, proportional to 1/distance, normalised so the range's
 *   near end is white; empty = black;
 * - `metric`: distance itself over a fixed range in composition pixels, near = black, far = white
 *   (ZoeDepth style); empty = white.
 */
export const DEPTH_CONVENTIONS = ['normalized', 'inverse', 'metric'] as const
export const depthConventionSchema = z.enum(DEPTH_CONVENTIONS)
export type DepthConvention = z.infer<typeof depthConventionSchema>

const depthRangeSchema = z.tuple([z.number().positive(), z.number().positive()])
  .refine(([near, far]) => far > near, 'A depth range is [near, far] with far greater than near.')

export const exportPassSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('color') }),
  z.object({
    type: z.literal('depth'),
    convention: depthConventionSchema.default('normalized'),
    /** [near, far] in composition pixels; default: the nearest..farthest depth over the whole range. */
    range: depthRangeSchema.optional(),
  }),
  z.object({ type: z.literal('matte'), layerId: z.string().min(1) }),
  /** Normals computed from the depth pass (ControlNet's convention). */
  z.object({ type: z.literal('normal') }),
])
export type ExportPass = z.infer<typeof exportPassSchema>
export type ExportPassInput = z.input<typeof exportPassSchema>

export const CAMERA_FORMATS = ['matrices', 'motionctrl', 'cameractrl', 'uni3c', 'wan-fun'] as const
export const cameraFormatSchema = z.enum(CAMERA_FORMATS)
export type CameraFormat = z.infer<typeof cameraFormatSchema>

export const exportOutputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('video'),
    format: videoFormatSchema,
    pass: exportPassSchema.default({ type: 'color' }),
    /** Quality for h264/h265/vp9 (lower is better); each format's default otherwise. */
    crf: z.number().int().min(1).max(63).optional(),
  }),
  z.object({
    kind: z.literal('sequence'),
    format: sequenceFormatSchema,
    pass: exportPassSchema.default({ type: 'color' }),
    /** JPEG quality, 1–100. */
    quality: z.number().int().min(1).max(100).optional(),
  }),
  z.object({ kind: z.literal('camera'), format: cameraFormatSchema }),
])
export type ExportOutput = z.infer<typeof exportOutputSchema>
export type ExportOutputInput = z.input<typeof exportOutputSchema>

export const exportScaleSchema = z.union([
  z.enum(['full', 'half', 'quarter']),
  z.object({ width: z.number().int().min(EXPORT_LIMITS.minDimension).max(EXPORT_LIMITS.maxDimension), height: z.number().int().min(EXPORT_LIMITS.minDimension).max(EXPORT_LIMITS.maxDimension) }),
])
export type ExportScale = z.infer<typeof exportScaleSchema>

/** Frames [start, end): `end` is one past the last frame, like a composition's frame count. */
export const frameRangeSchema = z.object({
  start: z.number().int().min(0),
  end: z.number().int().min(1),
}).refine((r) => r.end > r.start, 'A frame range needs end greater than start (end is one past the last frame).')
export type FrameRange = z.infer<typeof frameRangeSchema>

/**
 * A conditioning bundle: every output of the export plus a template's API-format workflow that
 * reads them from ComfyUI's `input/` folder, in one zip, for a ComfyUI that is not connected to Lattice.
 */
export const exportBundleSchema = z.object({
  templateId: z.string().min(1).max(100),
  /** Template input → the index of the output that feeds it; unnamed inputs are matched by kind and pass. */
  inputs: z.record(z.string(), z.number().int().min(0)).optional(),
  /** The template's parameters; the rest take their defaults. */
  params: z.record(z.string(), z.union([z.string().max(20_000), z.number(), z.boolean()])).optional(),
})
export type ExportBundle = z.infer<typeof exportBundleSchema>

/** Characters a file name template may hold besides its `{placeholders}`. */
const NAME_TEMPLATE = /^[\w\-. {}]+$/

export const exportSettingsSchema = z.object({
  compositionId: z.string().min(1),
  /** Default: the whole composition. */
  range: frameRangeSchema.optional(),
  scale: exportScaleSchema.default('full'),
  /**
   * File names: `{project}`, `{composition}`, `{pass}` and `{format}` are replaced; the extension
   * (and a frame number for sequences) is added.
   */
  name: z.string().min(1).max(EXPORT_LIMITS.maxNameLength).regex(NAME_TEMPLATE, 'A file name template may hold letters, digits, spaces, "-", "_", "." and {placeholders}.').default('{project}_{composition}_{pass}'),
  outputs: z.array(exportOutputSchema).min(1, 'Choose at least one output.').max(EXPORT_LIMITS.maxOutputs),
  bundle: exportBundleSchema.optional(),
  /**
   * Export and generate: once the files are stored, a generation of this template starts with
   * them as its inputs (a video input takes a video output, a picture input a sequence's first frame).
   */
  generate: exportBundleSchema.optional(),
})
export type ExportSettings = z.infer<typeof exportSettingsSchema>
export type ExportSettingsInput = z.input<typeof exportSettingsSchema>

/** What a finished export made: each file is an asset of the project's owner. */
export const exportFileSchema = z.object({
  assetId: z.string(),
  name: z.string(),
  mime: z.string(),
  size: z.number(),
  /** Index into the request's outputs; the bundle, which holds them all, has none. */
  output: z.number().int().nullable(),
  /** For sequences: the frame files inside the zip, in order. */
  entries: z.array(z.string()).optional(),
})
export type ExportFile = z.infer<typeof exportFileSchema>

export function passLabel(pass: ExportPass | undefined): string {
  if (!pass) return 'camera'
  return pass.type
}
