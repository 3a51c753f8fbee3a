import { Tensor } from 'onnxruntime-node'
import { z } from 'zod'
import { AppError } from '../../../shared/errors'
import type { LoadedModel } from '../types'
import { decodeImage, fitInside, IMAGENET_MEAN, IMAGENET_STD, kernelSchema, ortTensor, outputOf, resizeFloat, sessionOf, toTensor, triple, type ImageInput, type RgbImage } from './image'

/**
 * Prompted segmentation with the SAM family split into an image encoder (run once per image,
 * cached) and a prompt decoder (run per click). Pre-processing as SamProcessor: longest side to
 * 1024, padded bottom/right, ImageNet mean/std; prompts in that 1024 frame; masks (logits, > 0 =
 * inside) upsampled to 1024, the padding cropped, resized to the source size.
 */

/** `manifest.processing` of a segmentation model; defaults are the transformers.js SAM / SlimSAM exports'. */
export const segmentProcessingSchema = z.object({
  size: z.number().int().positive().default(1024),
  mean: triple.default([...IMAGENET_MEAN]),
  std: triple.default([...IMAGENET_STD]),
  resize: kernelSchema.default('bilinear'),
  /**
   * How a box reaches the decoder: `input_boxes` [1,1,4] (the graph must declare it: a decoder
   * without it would silently drop boxes, so they are refused), or `points`: Meta's ONNX convention,
   * two extra points labelled 2 (top-left) and 3 (bottom-right).
   */
  boxes: z.enum(['input_boxes', 'points']).default('input_boxes'),
  /** Largest number of clicked points a request may carry. */
  maxPoints: z.number().int().positive().default(32),
})
export type SegmentProcessing = z.infer<typeof segmentProcessingSchema>

export interface PromptPoint { x: number; y: number; label: 0 | 1 }
export interface PromptBox { x0: number; y0: number; x1: number; y1: number }
/** Points and box in source-image pixels; label 1 = on the subject, 0 = not. */
export interface SegmentPrompt { points: PromptPoint[]; box?: PromptBox }

export interface SegmentMask {
  /** The decoder's predicted IoU. */
  score: number
  /** 255 inside, 0 outside, per source pixel. */
  mask: Uint8Array
  width: number
  height: number
}
export interface SegmentResult {
  /** Best first, up to 3. */
  masks: SegmentMask[]
  /** The encoder did not run: the image's embeddings were cached. */
  embeddingCached: boolean
}

export interface ImageEmbeddings {
  embeddings: Tensor
  positional: Tensor
  /** Source size, and the part of the padded square the image covers. */
  width: number
  height: number
  contentWidth: number
  contentHeight: number
}

/**
 * Recently used image embeddings by key (e.g. `${modelId}:${assetHash}:${frame}`), bounded by count
 * and bytes; the least recently used go first.
 */
export class EmbeddingCache {
  private readonly entries = new Map<string, ImageEmbeddings>()
  private total = 0
  constructor(readonly options: { maxEntries?: number; maxBytes?: number } = {}) {}

  get size(): number { return this.entries.size }
  get bytes(): number { return this.total }

  get(key: string): ImageEmbeddings | undefined {
    const entry = this.entries.get(key)
    if (entry) {
      this.entries.delete(key)
      this.entries.set(key, entry)
    }
    return entry
  }

  set(key: string, entry: ImageEmbeddings): void {
    this.delete(key)
    const bytes = sizeOf(entry)
    const maxBytes = this.options.maxBytes ?? 256 * 1024 * 1024
    if (bytes > maxBytes) return
    this.entries.set(key, entry)
    this.total += bytes
    const maxEntries = this.options.maxEntries ?? 16
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= maxEntries && this.total <= maxBytes) break
      this.delete(oldest)
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key)
    if (!entry) return
    this.entries.delete(key)
    this.total -= sizeOf(entry)
  }

  /** Drops every entry whose key starts with `prefix` (a model unloaded, an asset deleted). */
  clear(prefix = ''): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.delete(key)
  }
}

const sizeOf = (e: ImageEmbeddings) => (e.embeddings.data as Float32Array).byteLength + (e.positional.data as Float32Array).byteLength

/** Checks a prompt against the image; BAD_REQUEST saying what is wrong. */
export function validatePrompt(prompt: SegmentPrompt, width: number, height: number, maxPoints = 32): void {
  const points = prompt.points ?? []
  if (points.length === 0 && !prompt.box) throw new AppError('BAD_REQUEST', 'Click at least one point or draw a box on the subject.')
  if (points.length > maxPoints) throw new AppError('BAD_REQUEST', `A prompt takes at most ${maxPoints} points, got ${points.length}: remove some.`)
  const inside = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && x >= 0 && y >= 0 && x <= width && y <= height
  for (const [i, p] of points.entries()) {
    if (!inside(p.x, p.y)) throw new AppError('BAD_REQUEST', `Point ${i + 1} (${p.x}, ${p.y}) is outside the ${width}×${height} image.`)
    if (p.label !== 0 && p.label !== 1) throw new AppError('BAD_REQUEST', `Point ${i + 1} has label ${String(p.label)}: use 1 (subject) or 0 (not subject).`)
  }
  if (prompt.box) {
    const { x0, y0, x1, y1 } = prompt.box
    if (!inside(x0, y0) || !inside(x1, y1)) throw new AppError('BAD_REQUEST', `The box (${x0}, ${y0})–(${x1}, ${y1}) reaches outside the ${width}×${height} image.`)
    if (!(x1 > x0 && y1 > y0)) throw new AppError('BAD_REQUEST', 'A box needs its top-left corner (x0, y0) above and left of its bottom-right (x1, y1).')
  }
}

/** Runs the encoder on an image: SamProcessor's resize/pad/normalise, then `vision_encoder`. */
export async function encodeImage(model: LoadedModel, image: ImageInput | RgbImage): Promise<ImageEmbeddings> {
  const p = segmentProcessingSchema.parse(model.manifest.processing)
  const source = await decodeImage(image)
  const input = await toTensor(source, { width: p.size, height: p.size, mean: p.mean, std: p.std, resize: p.resize, pad: true })
  const encoder = sessionOf(model.sessions, 'encoder', model.manifest.id)
  const outputs = await encoder.run({ pixel_values: ortTensor(input) })
  return {
    embeddings: outputOf(outputs, 'image_embeddings'),
    positional: outputOf(outputs, 'image_positional_embeddings'),
    width: source.width,
    height: source.height,
    contentWidth: input.contentWidth,
    contentHeight: input.contentHeight,
  }
}

/** The decoder's inputs for a prompt (exported for tests and for other SAM front-ends). */
export function decoderInputs(
  embedded: ImageEmbeddings,
  prompt: SegmentPrompt,
  inputNames: readonly string[],
  p: Pick<SegmentProcessing, 'boxes'>,
  modelId = 'the segmentation model',
): Record<string, Tensor> {
  const sx = embedded.contentWidth / embedded.width
  const sy = embedded.contentHeight / embedded.height
  const coords: number[] = []
  const labels: number[] = []
  for (const point of prompt.points) {
    coords.push(point.x * sx, point.y * sy)
    labels.push(point.label)
  }
  const feeds: Record<string, Tensor> = {
    image_embeddings: embedded.embeddings,
    image_positional_embeddings: embedded.positional,
  }
  const takesBoxes = inputNames.includes('input_boxes')
  const box = prompt.box ? [prompt.box.x0 * sx, prompt.box.y0 * sy, prompt.box.x1 * sx, prompt.box.y1 * sy] : null
  if (box && p.boxes === 'points') {
    coords.push(box[0]!, box[1]!, box[2]!, box[3]!)
    labels.push(2, 3)
  } else if (box && !takesBoxes) {
    throw new AppError('BAD_REQUEST', `The decoder of ${modelId} takes no boxes (no input_boxes): prompt it with points, or install a variant that accepts boxes.`)
  }
  if (takesBoxes) {
    // The graph needs a box on every run; without one, the whole image is the box (unverified on real SAM exports).
    feeds.input_boxes = new Tensor('float32', Float32Array.from(box ?? [0, 0, embedded.contentWidth, embedded.contentHeight]), [1, 1, 4])
  }
  if (labels.length === 0) {
    // Only a box: one padding point (label −1), which SAM's prompt encoder ignores.
    coords.push(0, 0)
    labels.push(-1)
  }
  feeds.input_points = new Tensor('float32', Float32Array.from(coords), [1, 1, labels.length, 2])
  feeds.input_labels = new Tensor('int64', BigInt64Array.from(labels.map(BigInt)), [1, 1, labels.length])
  return feeds
}

/**
 * Masks from the decoder's outputs, sorted by IoU score, best first: logits [1,1,k,h,w] over the
 * padded square, the padding cropped, resized to `out` (default the source size), > 0 inside.
 * SAM's own post-processing upsamples to the padded square and then resizes the crop; one bilinear
 * step from the logits' grid straight to the output gives the same edges within a pixel at a
 * fraction of the work (a further click must answer quickly).
 */
export function postprocessMasks(
  iouScores: Float32Array,
  logits: Float32Array,
  dims: readonly number[],
  embedded: Pick<ImageEmbeddings, 'width' | 'height' | 'contentWidth' | 'contentHeight'>,
  size: number,
  limit = 3,
  out: { width: number; height: number } = { width: embedded.width, height: embedded.height },
): SegmentMask[] {
  const h = Number(dims[dims.length - 2])
  const w = Number(dims[dims.length - 1])
  const count = Math.min(iouScores.length, logits.length / (w * h))
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => iouScores[b]! - iouScores[a]!).slice(0, limit)
  const crop = { width: (embedded.contentWidth * w) / size, height: (embedded.contentHeight * h) / size }
  return order.map((i) => {
    const resized = resizeFloat(logits.subarray(i * w * h, (i + 1) * w * h), w, h, out.width, out.height, crop)
    const mask = new Uint8Array(resized.length)
    for (let j = 0; j < resized.length; j++) mask[j] = resized[j]! > 0 ? 255 : 0
    return { score: iouScores[i]!, mask, width: out.width, height: out.height }
  })
}

/**
 * Segments the subject a prompt points at. The image's embeddings come from `cache` under `key`
 * when there, else `loadImage()` is decoded and encoded (and cached): a further click on the same
 * image runs only the decoder.
 */
export async function segment(
  model: LoadedModel,
  cache: EmbeddingCache,
  key: string,
  loadImage: () => Promise<ImageInput | RgbImage>,
  prompt: SegmentPrompt,
  /** Masks at most this many pixels on their longest side (previews); default the source size. */
  options: { maxSide?: number } = {},
): Promise<SegmentResult> {
  const p = segmentProcessingSchema.parse(model.manifest.processing)
  const decoder = sessionOf(model.sessions, 'decoder', model.manifest.id)
  if (prompt.box && p.boxes === 'input_boxes' && !decoder.inputNames.includes('input_boxes')) {
    throw new AppError('BAD_REQUEST', `The decoder of ${model.manifest.id} takes no boxes (no input_boxes): prompt it with points, or install a variant that accepts boxes.`)
  }
  validatePrompt(prompt, Infinity, Infinity, p.maxPoints)
  let embedded = cache.get(key)
  const embeddingCached = embedded !== undefined
  if (!embedded) {
    embedded = await encodeImage(model, await loadImage())
    cache.set(key, embedded)
  }
  validatePrompt(prompt, embedded.width, embedded.height, p.maxPoints)
  const outputs = await decoder.run(decoderInputs(embedded, prompt, decoder.inputNames, p, model.manifest.id))
  const scores = outputOf(outputs, 'iou_scores')
  const masks = outputOf(outputs, 'pred_masks')
  const out = options.maxSide ? fitInside(embedded.width, embedded.height, Math.min(embedded.width, options.maxSide), Math.min(embedded.height, options.maxSide)) : undefined
  return { masks: postprocessMasks(scores.data as Float32Array, masks.data as Float32Array, masks.dims, embedded, p.size, 3, out), embeddingCached }
}
