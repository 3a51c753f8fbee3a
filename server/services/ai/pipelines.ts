import sharp from 'sharp'
import type { LoadedModel } from '../../ml'
import { decodeImage, fitInside, greyPng as writeGreyPng, colourPng, resizeFloat, type RgbImage } from '../../ml/tasks/image'
import { estimateDepth, depthLevels, type DepthResult } from '../../ml/tasks/depth'
import { matte, cutoutPng as writeCutoutPng } from '../../ml/tasks/matte'
import { normalsFromDepth, readDepthImage } from '../../ml/tasks/normals'
import { EmbeddingCache, segment, type SegmentResult } from '../../ml/tasks/segment'
import { captionWithOpenAi, DEFAULT_CAPTION_PROMPT } from '../../ml/caption/openai'
import { caption as florenceCaption } from '../../ml/caption/florence'
import type { CaptionRequest, SegmentPrompt } from '../../../shared/ai/requests'
import { AI_LIMITS } from '../../../shared/ai/requests'

/**
 * The service's one doorway to the task pipelines (server/ml/tasks): decoded pixels in, arrays
 * and PNGs out, so the job and the service read as the steps users see.
 */
export type Pixels = RgbImage

/** What a depth asset's grey levels mean, recorded in its metadata. */
export const DEPTH_MEANING = 'relative inverse depth (larger = nearer, not metres), scaled linearly from range.min (black) to range.max (white)'

/** Longest side of the raw depth a video job keeps per frame: about the depth models' own working size. */
const DEPTH_WORK_SIDE = 640

export const readPicture = (path: string): Promise<Pixels> => decodeImage(path, { channels: 3, maxPixels: AI_LIMITS.maxImagePixels })

export async function depthOf(model: LoadedModel, pixels: Pixels): Promise<DepthResult> {
  return estimateDepth(model, pixels)
}

export async function matteOf(model: LoadedModel, pixels: Pixels): Promise<Uint8Array> {
  return (await matte(model, pixels)).alpha
}

/** 16-bit levels, white = near, over `range` (a clip's) so frames of one clip share a scale. */
export function depthLevels16(depth: Float32Array, range: { min: number; max: number }, width = depth.length, height = 1): Uint16Array {
  return depthLevels({ depth, width, height, min: range.min, max: range.max }, 16, { range })
}

export function levels16To8(levels: Uint16Array): Uint8Array {
  const out = new Uint8Array(levels.length)
  for (let i = 0; i < levels.length; i++) out[i] = Math.round(levels[i]! / 257)
  return out
}

export const greyPng = (levels: Uint8Array, width: number, height: number): Promise<Buffer> => writeGreyPng(levels, width, height)
export const grey16Png = (levels: Uint16Array, width: number, height: number): Promise<Buffer> => writeGreyPng(levels, width, height)

export const cutoutPng = (pixels: Pixels, alpha: Uint8Array): Promise<Buffer> => writeCutoutPng(pixels, { alpha, width: pixels.width, height: pixels.height })

export const readDepthLevels = (path: string) => readDepthImage(path)

export async function normalsPng(levels: Uint8Array | Uint16Array, width: number, height: number, options: { flipX: boolean; flipY: boolean; invert?: boolean }): Promise<Buffer> {
  const normals = normalsFromDepth(levels, width, height, options)
  return colourPng(normals.rgb, width, height, 3)
}

export const depthWorkSize = (width: number, height: number) => fitInside(width, height, Math.min(width, DEPTH_WORK_SIDE), Math.min(height, DEPTH_WORK_SIDE))

export const resizeDepth = (depth: Float32Array, width: number, height: number, toWidth: number, toHeight: number): Float32Array =>
  width === toWidth && height === toHeight ? depth : resizeFloat(depth, width, height, toWidth, toHeight)

export const createEmbeddingCache = () => new EmbeddingCache()

/** Longest side of the candidate masks a click answers with (an overlay); a saved mask is full size. */
export const MASK_PREVIEW_SIDE = 512

export function segmentOf(model: LoadedModel, cache: EmbeddingCache, key: string, loadImage: () => Promise<Pixels>, prompt: SegmentPrompt, options: { maxSide?: number } = {}): Promise<SegmentResult> {
  return segment(model, cache, key, loadImage, { points: prompt.points, box: prompt.box }, options)
}

const BRIEF_PROMPT = 'Describe this image in one sentence.'

export async function captionByEndpoint(vlm: { url: string; key?: string; model: string }, pixels: Pixels, request: CaptionRequest, signal?: AbortSignal): Promise<string> {
  const png = await sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } }).png().toBuffer()
  const prompt = request.prompt ?? (request.detail === 'brief' ? BRIEF_PROMPT : DEFAULT_CAPTION_PROMPT)
  const result = await captionWithOpenAi({ data: png, mimeType: 'image/png' }, { url: vlm.url, apiKey: vlm.key, model: vlm.model, prompt, signal })
  return result.text
}

export async function captionLocally(model: LoadedModel, pixels: Pixels, request: CaptionRequest): Promise<string> {
  const result = await florenceCaption(model, pixels, { task: request.detail === 'brief' ? 'caption' : 'more_detailed' })
  return result.text
}
