import { z } from 'zod'

/**
 * A model Lattice knows: one committed file per model in `models/` (never the weights). The files
 * live in `<LATTICE_MODELS_DIR>/<id>/<path>`; each has a URL pinned to a commit (or none: install
 * by hand), its sha256 and size, checked before the model is used.
 */
export const AI_TASKS = ['depth', 'matte', 'segment', 'caption'] as const
export const aiTaskSchema = z.enum(AI_TASKS)
export type AiTask = z.infer<typeof aiTaskSchema>

/** Folder and file names only from letters, digits, dot, dash and underscore; no `..`. */
const SAFE_SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/
export const modelFilePathSchema = z.string().min(1).max(200)
  .refine((p) => p.split('/').every((s) => SAFE_SEGMENT.test(s)), 'a relative path of plain names separated by "/"')

export const modelFileSchema = z.object({
  path: modelFilePathSchema,
  /** Where it downloads from, pinned to a commit; null when it can only be installed by hand. */
  url: z.url().nullable(),
  sha256: z.string().regex(/^[a-f0-9]{64}$/),
  size: z.number().int().positive(),
})

/** One ONNX graph of a model and the tensor names its code relies on, checked when it loads. */
export const modelSessionSchema = z.object({
  file: modelFilePathSchema,
  inputs: z.array(z.string().min(1)).min(1),
  outputs: z.array(z.string().min(1)).min(1),
})

export const modelManifestSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and dashes'),
  name: z.string().min(1),
  task: aiTaskSchema,
  description: z.string().default(''),
  /** The task's model when a request names none. */
  default: z.boolean().default(false),
  licence: z.string().min(1),
  /** The model card. */
  source: z.url(),
  /** `onnx`: sessions run directly; `transformers`: multi-graph models through @huggingface/transformers. */
  runtime: z.enum(['onnx', 'transformers']).default('onnx'),
  files: z.array(modelFileSchema).min(1),
  /** onnx runtime: the graphs by role (`model`; `encoder` and `decoder` for segmentation). */
  sessions: z.record(z.string(), modelSessionSchema).default({}),
  /** Task-specific pre/post-processing parameters; each task reads them with its own schema. */
  processing: z.record(z.string(), z.unknown()).default({}),
  /** How to install it by hand when there is no URL, or on a machine without internet. */
  install: z.string().optional(),
})
export type ModelManifest = z.infer<typeof modelManifestSchema>
export type ModelFile = z.infer<typeof modelFileSchema>

export const AI_DEVICES = ['cpu', 'cuda'] as const
export type AiDevice = (typeof AI_DEVICES)[number]

/**
 * A model as `ai.models.list` shows it. `missing`: no files; `downloading`: a download job runs
 * (progress 0..1); `installed`: every file has its size (and passed sha256 when `verified`);
 * `corrupt`: a file has the wrong size or failed its checksum (`problem` says which); `loaded`:
 * in memory, on `device`, holding about `memoryBytes`.
 */
export const MODEL_STATES = ['missing', 'downloading', 'installed', 'corrupt', 'loaded'] as const
export type ModelState = (typeof MODEL_STATES)[number]

export interface ModelInfo {
  id: string
  name: string
  task: AiTask
  description: string
  default: boolean
  licence: string
  source: string
  sizeBytes: number
  downloadable: boolean
  install: string | null
  state: ModelState
  verified: boolean
  problem: string | null
  downloadJobId: string | null
  progress: number | null
  device: AiDevice | null
  memoryBytes: number | null
  lastUsedAt: string | null
}

/** Where inference runs, and why there (CUDA failed to load, not installed, or set by LATTICE_AI_DEVICE). */
export interface AiDeviceInfo {
  preferred: 'auto' | AiDevice
  device: AiDevice
  reason: string
}
