import { z } from 'zod'

/** Bounds of AI requests, checked before any pixel is decoded or any model is loaded. */
export const AI_LIMITS = {
  /** Largest picture a task reads (decoding a bigger one costs more memory than it is worth). */
  maxImagePixels: 40_000_000,
  /** Longest video a depth or matte job takes, in frames (a minute at 30 fps). */
  maxVideoFrames: 1800,
  /** Largest video frame, in pixels (4K UHD). */
  maxVideoFramePixels: 3840 * 2160,
  /** Segmentation prompt points per request. */
  maxPoints: 32,
  /** A caption's free prompt. */
  maxPromptChars: 2000,
} as const

const uuid = z.uuid('Asset ids are UUIDs.')
export const modelIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Model ids are lower-case letters, digits and dashes (see ai.models.list).')

/** Long AI work on an asset, run as an `ai.task` job; its result names the assets it made. */
export const aiTaskRequestSchema = z.discriminatedUnion('task', [
  /** Image → 16-bit depth PNG and an 8-bit preview; video → a depth video normalised over the whole clip. */
  z.object({ task: z.literal('depth'), assetId: uuid, modelId: modelIdSchema.optional() }),
  /** Image → a grey matte PNG and the picture cut out (RGBA); video → a matte video. */
  z.object({ task: z.literal('matte'), assetId: uuid, modelId: modelIdSchema.optional() }),
  /**
   * Normal map in ControlNet's convention. `source: 'image'` estimates depth first (with `modelId`,
   * a depth model); `'depth'` reads the asset as a depth map (white = near, or white = far with `invert`).
   */
  z.object({
    task: z.literal('normals'), assetId: uuid, modelId: modelIdSchema.optional(),
    source: z.enum(['image', 'depth']).default('image'), invert: z.boolean().default(false),
    flipX: z.boolean().default(false), flipY: z.boolean().default(false),
  }),
])
export type AiTaskRequest = z.infer<typeof aiTaskRequestSchema>
export type AiTaskRequestInput = z.input<typeof aiTaskRequestSchema>

/** A coordinate in the source picture's pixels (x right, y down). */
const coordinate = z.number().finite()
export const segmentPromptSchema = z.object({
  assetId: uuid,
  /** For a video: which frame (0-based) to segment. */
  frame: z.number().int().min(0).default(0),
  modelId: modelIdSchema.optional(),
  points: z.array(z.object({ x: coordinate, y: coordinate, label: z.union([z.literal(0), z.literal(1)]) }))
    .max(AI_LIMITS.maxPoints, `At most ${AI_LIMITS.maxPoints} points per request; start again with fewer.`).default([]),
  box: z.object({ x0: coordinate, y0: coordinate, x1: coordinate, y1: coordinate }).optional(),
}).refine((p) => p.points.length > 0 || p.box !== undefined, 'Give at least one point or a box.')
export type SegmentPrompt = z.infer<typeof segmentPromptSchema>
export type SegmentPromptInput = z.input<typeof segmentPromptSchema>

export const captionRequestSchema = z.object({
  assetId: uuid,
  frame: z.number().int().min(0).default(0),
  /** `brief`: one sentence; `detailed`: a paragraph. */
  detail: z.enum(['brief', 'detailed']).default('detailed'),
  /** A free question or instruction about the picture (endpoint backends; a local caption model ignores it). */
  prompt: z.string().max(AI_LIMITS.maxPromptChars).optional(),
  /** `local`: the installed caption model; `endpoint`: LATTICE_VLM_URL. Default: the endpoint when configured, else local. */
  backend: z.enum(['local', 'endpoint']).optional(),
  modelId: modelIdSchema.optional(),
})
export type CaptionRequest = z.infer<typeof captionRequestSchema>

/** One file an AI task made, by what it is. */
export interface AiTaskOutput {
  role: 'depth' | 'preview' | 'matte' | 'cutout' | 'normals'
  assetId: string
}

/** `{ id }` of a model, as `ai.models.list` names it. */
export const modelIdInput = z.object({ id: modelIdSchema })

/** Stores candidate `index` of a segmentation prompt as a grey mask asset. */
export const saveMaskSchema = z.object({ prompt: segmentPromptSchema, index: z.number().int().min(0).max(2) })

/** The per-task procedures (`ai.depth`, `ai.matte`, `ai.normals`) take a task request without its `task`. */
export const depthRequestSchema = aiTaskRequestSchema.options[0].omit({ task: true })
export const matteRequestSchema = aiTaskRequestSchema.options[1].omit({ task: true })
export const normalsRequestSchema = aiTaskRequestSchema.options[2].omit({ task: true })
