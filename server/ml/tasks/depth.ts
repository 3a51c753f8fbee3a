import { z } from 'zod'
import type { LoadedModel } from '../types'
import { depthToLevels } from '../../export/depth-levels'
import { decodeImage, greyPng, IMAGENET_MEAN, IMAGENET_STD, kernelSchema, ortTensor, outputOf, resizeFloat, sessionOf, toTensor, triple, type ImageInput } from './image'

/**
 * Monocular depth (Depth Anything V2 and other DPT-style exports): relative inverse depth,
 * larger = nearer, at the source size; then 16-bit / 8-bit grey PNGs white = near (the export's
 * `inverse` convention), normalised over a range a whole clip can share so frames do not flicker.
 */

/** `manifest.processing` of a depth model; defaults are Depth Anything V2 small's preprocessor_config.json. */
export const depthProcessingSchema = z.object({
  /** Target side; with keepAspect the side needing the smaller change lands on it. */
  size: z.number().int().positive().default(518),
  multipleOf: z.number().int().positive().default(14),
  keepAspect: z.boolean().default(true),
  resize: kernelSchema.default('bicubic'),
  mean: triple.default([...IMAGENET_MEAN]),
  std: triple.default([...IMAGENET_STD]),
  input: z.string().min(1).default('pixel_values'),
  output: z.string().min(1).default('predicted_depth'),
})
export type DepthProcessing = z.infer<typeof depthProcessingSchema>

export interface DepthResult {
  /** Relative inverse depth per source pixel, rows from the top; larger = nearer. */
  depth: Float32Array
  width: number
  height: number
  /** The raw values' range over this frame (before any normalisation). */
  min: number
  max: number
  modelId: string
  /** How the values read: larger = nearer (MiDaS / Depth Anything). */
  convention: 'inverse'
}

/** Python's round-half-to-even, as transformers' constraint_to_multiple_of uses. */
function bankersRound(x: number): number {
  const r = Math.round(x)
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/**
 * The model input size for a source image (DPTImageProcessor with keep_aspect_ratio and
 * ensure_multiple_of): scale as little as possible so one side reaches `size`, both sides
 * multiples of `multipleOf` (at least one multiple).
 */
export function depthInputSize(width: number, height: number, p: Pick<DepthProcessing, 'size' | 'multipleOf' | 'keepAspect'>): { width: number; height: number } {
  let scaleW = p.size / width
  let scaleH = p.size / height
  if (p.keepAspect) {
    if (Math.abs(1 - scaleW) < Math.abs(1 - scaleH)) scaleH = scaleW
    else scaleW = scaleH
  }
  const fit = (v: number) => Math.max(p.multipleOf, bankersRound(v / p.multipleOf) * p.multipleOf)
  return { width: fit(scaleW * width), height: fit(scaleH * height) }
}

export async function estimateDepth(model: LoadedModel, image: ImageInput): Promise<DepthResult> {
  const p = depthProcessingSchema.parse(model.manifest.processing)
  const source = await decodeImage(image)
  const size = depthInputSize(source.width, source.height, p)
  const input = await toTensor(source, { ...size, mean: p.mean, std: p.std, resize: p.resize })
  const session = sessionOf(model.sessions, 'model', model.manifest.id)
  const outputs = await session.run({ [p.input]: ortTensor(input) })
  const out = outputOf(outputs, p.output)
  const dims = out.dims
  const outHeight = Number(dims[dims.length - 2])
  const outWidth = Number(dims[dims.length - 1])
  const raw = out.data as Float32Array
  if (!(raw instanceof Float32Array) || raw.length !== outWidth * outHeight) {
    throw new Error(`Depth model ${model.manifest.id} returned ${out.type} [${dims.join(',')}]; expected float32 [1,h,w].`)
  }
  const depth = resizeFloat(raw, outWidth, outHeight, source.width, source.height)
  const { min, max } = rangeOf(depth)
  return { depth, width: source.width, height: source.height, min, max, modelId: model.manifest.id, convention: 'inverse' }
}

function rangeOf(values: Float32Array): { min: number; max: number } {
  let min = Infinity
  let max = -Infinity
  for (const v of values) {
    if (!Number.isFinite(v)) continue
    if (v < min) min = v
    if (v > max) max = v
  }
  return min === Infinity ? { min: 0, max: 0 } : { min, max }
}

/**
 * The raw range across the frames of a clip: add every frame's result, then write each frame with
 * `range` so one value gives one grey level through the clip.
 */
export class DepthRange {
  min = Infinity
  max = -Infinity
  add(frame: { min: number; max: number }): this {
    if (frame.min < this.min) this.min = frame.min
    if (frame.max > this.max) this.max = frame.max
    return this
  }

  get range(): { min: number; max: number } | null {
    return this.min <= this.max ? { min: this.min, max: this.max } : null
  }
}

export interface DepthLevelOptions {
  /** The raw values mapped to black and white; default the frame's own min/max. */
  range?: { min: number; max: number }
  /** White = far instead of near. */
  invert?: boolean
}

/**
 * Grey levels of relative inverse depth, linear over [range.min → black, range.max → white]
 * (reversed with `invert`), values outside clamped. Uses the export's depthToLevels: raw values
 * become distances `c − v` (c above the range) whose `normalized` levels are (v − min)/(max − min).
 */
export function depthLevels(result: Pick<DepthResult, 'depth' | 'width' | 'height' | 'min' | 'max'>, bits: 8, options?: DepthLevelOptions): Uint8Array
export function depthLevels(result: Pick<DepthResult, 'depth' | 'width' | 'height' | 'min' | 'max'>, bits: 16, options?: DepthLevelOptions): Uint16Array
export function depthLevels(result: Pick<DepthResult, 'depth' | 'width' | 'height' | 'min' | 'max'>, bits: 8 | 16, options: DepthLevelOptions = {}): Uint8Array | Uint16Array {
  const { min, max } = options.range ?? result
  if (!(Number.isFinite(min) && Number.isFinite(max) && max >= min)) throw new Error(`A depth range is {min, max} with min ≤ max, got {${min}, ${max}}.`)
  // A flat range (one value) still needs far > near: widen it past min, so that value is white (nearest).
  const span = max > min ? max - min : Math.max(Math.abs(max) * 1e-6, 1e-6)
  const c = max + span
  const distance = new Float32Array(result.depth.length)
  for (let i = 0; i < distance.length; i++) {
    const v = result.depth[i]!
    // Clamp first: a value past max would become a distance ≤ 0, which depthToLevels reads as empty.
    distance[i] = Number.isFinite(v) ? c - Math.min(max, Math.max(min, v)) : 0
  }
  return depthToLevels(distance, result.width, result.height, [c - max, c - min + (max > min ? 0 : span)], options.invert ? 'metric' : 'normalized', bits)
}

/** A 16-bit grey PNG, white = near (or far with `invert`), over `range` (a clip's shared range) or the frame's own. */
export async function depthToPng16(result: Pick<DepthResult, 'depth' | 'width' | 'height' | 'min' | 'max'>, options?: DepthLevelOptions): Promise<Buffer> {
  return greyPng(depthLevels(result, 16, options), result.width, result.height)
}

/** An 8-bit grey PNG of the same mapping, for previews. */
export async function depthPreview8(result: Pick<DepthResult, 'depth' | 'width' | 'height' | 'min' | 'max'>, options?: DepthLevelOptions): Promise<Buffer> {
  return greyPng(depthLevels(result, 8, options), result.width, result.height)
}
