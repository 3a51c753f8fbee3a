import { stat } from 'node:fs/promises'
import sharp, { type Metadata } from 'sharp'
import { Tensor } from 'onnxruntime-node'
import { z } from 'zod'
import { AppError } from '../../../shared/errors'

/**
 * Pixels in and out of the AI tasks: decoding with limits checked before any pixel is decoded,
 * resizing, model input tensors (float32 CHW), float maps back to a size, grey/RGB(A) PNGs.
 */

/** The largest image a task decodes: 40 megapixels (e.g. 8K is 33 MP). */
export const MAX_IMAGE_PIXELS = 40_000_000
/** Formats sharp decodes here; anything else is refused before decoding. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heif'] as const

export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const

export interface RgbImage {
  /** Interleaved 8-bit pixels, rows from the top. */
  data: Uint8Array
  width: number
  height: number
  channels: 3 | 4
}

export type ImageInput = Buffer | Uint8Array | string | RgbImage

export interface DecodeOptions {
  /** 3 (RGB, default; alpha is dropped, transparent areas keep their colour) or 4 (RGBA). */
  channels?: 3 | 4
  maxPixels?: number
}

const isRgbImage = (input: ImageInput): input is RgbImage => typeof input === 'object' && !(input instanceof Uint8Array) && 'data' in input

/**
 * Decodes an image file or buffer (EXIF orientation applied). Refuses unreadable or unsupported
 * formats (UNSUPPORTED_MEDIA_TYPE) and images over `maxPixels` (BAD_REQUEST) from the header alone.
 * An already decoded `RgbImage` passes through (converted to the asked channel count).
 */
export async function decodeImage(input: ImageInput, options: DecodeOptions = {}): Promise<RgbImage> {
  const channels = options.channels ?? 3
  const maxPixels = options.maxPixels ?? MAX_IMAGE_PIXELS
  if (isRgbImage(input)) return withChannels(input, channels)
  await checkImage(input, maxPixels)
  try {
    let pipeline = sharp(input, { limitInputPixels: maxPixels, pages: 1 }).rotate().toColourspace('srgb')
    pipeline = channels === 4 ? pipeline.ensureAlpha() : pipeline.removeAlpha()
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true })
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels }
  } catch (error) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `The image could not be decoded (${(error as Error).message}): the file may be damaged.`)
  }
}

/**
 * The header checks alone (exists, readable, a supported format, at most `maxPixels`), before any
 * pixel is decoded; returns sharp's metadata.
 */
export async function checkImage(input: Buffer | Uint8Array | string, maxPixels = MAX_IMAGE_PIXELS): Promise<Metadata> {
  if (typeof input === 'string') {
    const info = await stat(input).catch(() => null)
    if (!info?.isFile()) throw new AppError('NOT_FOUND', `The image file ${input} does not exist.`)
  }
  let metadata: Metadata
  try {
    metadata = await sharp(input, { limitInputPixels: false }).metadata()
  } catch {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `This is not an image Lattice can read: use ${IMAGE_FORMATS.join(', ')}.`)
  }
  const format = metadata.format as string | undefined
  if (!format || !(IMAGE_FORMATS as readonly string[]).includes(format)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Images in ${format ?? 'this'} format are not supported: convert it to ${IMAGE_FORMATS.join(', ')}.`)
  }
  const pixels = (metadata.width ?? 0) * (metadata.height ?? 0)
  if (!pixels) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The image has no size: the file may be damaged.')
  if (pixels > maxPixels) {
    throw new AppError('BAD_REQUEST', `The image is ${metadata.width}×${metadata.height} (${(pixels / 1e6).toFixed(1)} MP); AI tasks take up to ${(maxPixels / 1e6).toFixed(0)} MP: scale it down first.`)
  }
  return metadata
}

function withChannels(image: RgbImage, channels: 3 | 4): RgbImage {
  if (image.data.length !== image.width * image.height * image.channels) {
    throw new Error(`A ${image.width}×${image.height}×${image.channels} image has ${image.width * image.height * image.channels} bytes, got ${image.data.length}.`)
  }
  if (image.channels === channels) return image
  const n = image.width * image.height
  const out = new Uint8Array(n * channels)
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[i * channels + c] = image.data[i * image.channels + c]!
    if (channels === 4) out[i * 4 + 3] = 255
  }
  return { data: out, width: image.width, height: image.height, channels }
}

export type ResizeKernel = 'bilinear' | 'bicubic' | 'nearest'
const KERNELS = { bilinear: 'linear', bicubic: 'cubic', nearest: 'nearest' } as const

/** Resizes interleaved 8-bit pixels to exactly width×height (aspect not kept). */
export async function resizePixels(image: RgbImage, width: number, height: number, kernel: ResizeKernel): Promise<RgbImage> {
  if (image.width === width && image.height === height) return image
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(width, height, { fit: 'fill', kernel: KERNELS[kernel] })
    .raw()
    .toBuffer()
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height, channels: image.channels }
}

/** Normalisation shared by the tasks' processing schemas: per-channel mean/std on values in 0..1. */
export const triple = z.tuple([z.number(), z.number(), z.number()])
export const kernelSchema = z.enum(['bilinear', 'bicubic'])

export interface TensorOptions {
  width: number
  height: number
  mean: readonly number[]
  std: readonly number[]
  resize: ResizeKernel
  /**
   * Keep the aspect: scale the longest side to fit width×height and pad the bottom/right with
   * zeros (after normalisation, as SAM's processor does). Without it the image fills width×height.
   */
  pad?: boolean
}

export interface ImageTensor {
  /** float32 CHW, dims [1, 3, height, width]. */
  data: Float32Array
  dims: [1, 3, number, number]
  /** The part of the tensor the image covers (all of it unless padded). */
  contentWidth: number
  contentHeight: number
}

/** The size the longest side of `width`×`height` scaled to `longest` gives (SAM's `_get_preprocess_shape`). */
export function fitLongestSide(width: number, height: number, longest: number): { width: number; height: number } {
  const scale = longest / Math.max(width, height)
  return { width: Math.max(1, Math.min(longest, Math.floor(width * scale + 0.5))), height: Math.max(1, Math.min(longest, Math.floor(height * scale + 0.5))) }
}

/** RGB(A) pixels → a normalised model input: (v/255 − mean[c]) / std[c], planar, batch of one. */
export async function toTensor(image: RgbImage, options: TensorOptions): Promise<ImageTensor> {
  const content = options.pad ? fitInside(image.width, image.height, options.width, options.height) : { width: options.width, height: options.height }
  const resized = await resizePixels(image, content.width, content.height, options.resize)
  const { width, height } = options
  const plane = width * height
  const data = new Float32Array(3 * plane)
  const scale = [0, 1, 2].map((c) => 1 / (255 * options.std[c]!))
  const offset = [0, 1, 2].map((c) => options.mean[c]! / options.std[c]!)
  const src = resized.data
  const channels = resized.channels
  for (let y = 0; y < content.height; y++) {
    for (let x = 0; x < content.width; x++) {
      const s = (y * content.width + x) * channels
      const d = y * width + x
      data[d] = src[s]! * scale[0]! - offset[0]!
      data[plane + d] = src[s + 1]! * scale[1]! - offset[1]!
      data[2 * plane + d] = src[s + 2]! * scale[2]! - offset[2]!
    }
  }
  return { data, dims: [1, 3, height, width], contentWidth: content.width, contentHeight: content.height }
}

/** Scales width×height to fit inside maxWidth×maxHeight keeping the aspect (for a square, `fitLongestSide`). */
export function fitInside(width: number, height: number, maxWidth: number, maxHeight: number): { width: number; height: number } {
  const scale = Math.min(maxWidth / width, maxHeight / height)
  return { width: Math.max(1, Math.min(maxWidth, Math.floor(width * scale + 0.5))), height: Math.max(1, Math.min(maxHeight, Math.floor(height * scale + 0.5))) }
}

export const ortTensor = (t: ImageTensor): Tensor => new Tensor('float32', t.data, t.dims)

/**
 * Bilinear resampling of a float map (half-pixel centres, edges clamped: torch's
 * `interpolate(mode='bilinear', align_corners=False)`), optionally of only its top-left
 * `crop` region (SAM's padding).
 */
export function resizeFloat(
  src: Float32Array | ArrayLike<number>,
  srcWidth: number,
  srcHeight: number,
  width: number,
  height: number,
  crop?: { width: number; height: number },
): Float32Array {
  if (src.length < srcWidth * srcHeight) throw new Error(`A ${srcWidth}×${srcHeight} map has ${srcWidth * srcHeight} values, got ${src.length}.`)
  const cw = crop?.width ?? srcWidth
  const ch = crop?.height ?? srcHeight
  const out = new Float32Array(width * height)
  const sx = cw / width
  const sy = ch / height
  const x0s = new Int32Array(width)
  const x1s = new Int32Array(width)
  const fxs = new Float32Array(width)
  for (let x = 0; x < width; x++) {
    const fx = Math.min(cw - 1, Math.max(0, (x + 0.5) * sx - 0.5))
    x0s[x] = Math.floor(fx)
    x1s[x] = Math.min(cw - 1, x0s[x]! + 1)
    fxs[x] = fx - x0s[x]!
  }
  for (let y = 0; y < height; y++) {
    const fy = Math.min(ch - 1, Math.max(0, (y + 0.5) * sy - 0.5))
    const y0 = Math.floor(fy)
    const y1 = Math.min(ch - 1, y0 + 1)
    const wy = fy - y0
    const r0 = y0 * srcWidth
    const r1 = y1 * srcWidth
    const o = y * width
    for (let x = 0; x < width; x++) {
      const x0 = x0s[x]!
      const x1 = x1s[x]!
      const wx = fxs[x]!
      const top = src[r0 + x0]! + (src[r0 + x1]! - src[r0 + x0]!) * wx
      const bottom = src[r1 + x0]! + (src[r1 + x1]! - src[r1 + x0]!) * wx
      out[o + x] = top + (bottom - top) * wy
    }
  }
  return out
}

/** A one-channel 8- or 16-bit grey PNG. */
export async function greyPng(levels: Uint8Array | Uint16Array, width: number, height: number): Promise<Buffer> {
  if (levels.length !== width * height) throw new Error(`A ${width}×${height} grey image has ${width * height} values, got ${levels.length}.`)
  if (levels instanceof Uint16Array) {
    // sharp takes a Uint16Array's raw pixels as 16-bit.
    return sharp(levels, { raw: { width, height, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toBuffer()
  }
  return sharp(levels, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toBuffer()
}

/** An 8-bit RGB or RGBA PNG from interleaved pixels. */
export async function colourPng(pixels: Uint8Array, width: number, height: number, channels: 3 | 4): Promise<Buffer> {
  if (pixels.length !== width * height * channels) throw new Error(`A ${width}×${height}×${channels} image has ${width * height * channels} bytes, got ${pixels.length}.`)
  return sharp(pixels, { raw: { width, height, channels } }).png().toBuffer()
}

/** The model's output tensor by name, with a clear error when the graph has none by that name. */
export function outputOf(outputs: Record<string, Tensor>, name: string): Tensor {
  const tensor = outputs[name]
  if (!tensor) throw new Error(`The model has no output "${name}" (it has ${Object.keys(outputs).join(', ')}): check its manifest's processing.output.`)
  return tensor
}

export function sessionOf<S>(sessions: Record<string, S>, role: string, modelId: string): S {
  const session = sessions[role]
  if (!session) throw new Error(`Model ${modelId} has no "${role}" session: its manifest must list sessions.${role}.`)
  return session
}
