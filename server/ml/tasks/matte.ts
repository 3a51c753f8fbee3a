import { z } from 'zod'
import type { LoadedModel } from '../types'
import { colourPng, decodeImage, greyPng, IMAGENET_MEAN, IMAGENET_STD, kernelSchema, ortTensor, outputOf, resizeFloat, sessionOf, toTensor, triple, type ImageInput, type RgbImage } from './image'

/**
 * Automatic matting / background removal with one-graph models: the image squashed to a fixed
 * square, normalised, one foreground map out (probabilities, or logits through a sigmoid), resized
 * back to the source size as 8-bit alpha.
 *
 * - BiRefNet-lite (MIT, the defaults): `input_image`, ImageNet mean/std → `output_image` logits, sigmoid.
 * - ISNet (@imgly, AGPL): `input`, `(v − 128) / 256` = mean 128/255, std 256/255 on 0..1 → `output` in 0..1:
 *   `{ "size": 1024, "mean": [0.50196, 0.50196, 0.50196], "std": [1.00392, 1.00392, 1.00392], "activation": "none", "input": "input", "output": "output", "resize": "bilinear" }`.
 */
export const matteProcessingSchema = z.object({
  size: z.number().int().positive().default(1024),
  mean: triple.default([...IMAGENET_MEAN]),
  std: triple.default([...IMAGENET_STD]),
  resize: kernelSchema.default('bilinear'),
  activation: z.enum(['none', 'sigmoid']).default('sigmoid'),
  input: z.string().min(1).default('input_image'),
  output: z.string().min(1).default('output_image'),
})
export type MatteProcessing = z.infer<typeof matteProcessingSchema>

/** ISNet's processing as a manifest writes it (mean 128/255, std 256/255 on 0..1). */
export const ISNET_PROCESSING: z.input<typeof matteProcessingSchema> = {
  size: 1024,
  mean: [128 / 255, 128 / 255, 128 / 255],
  std: [256 / 255, 256 / 255, 256 / 255],
  resize: 'bilinear',
  activation: 'none',
  input: 'input',
  output: 'output',
}

export interface MatteResult {
  /** Foreground opacity per source pixel, 0 background … 255 subject. */
  alpha: Uint8Array
  width: number
  height: number
  modelId: string
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x))

export async function matte(model: LoadedModel, image: ImageInput): Promise<MatteResult> {
  const p = matteProcessingSchema.parse(model.manifest.processing)
  const source = await decodeImage(image)
  const input = await toTensor(source, { width: p.size, height: p.size, mean: p.mean, std: p.std, resize: p.resize })
  const session = sessionOf(model.sessions, 'model', model.manifest.id)
  // Fetch only the matte: ISNet also returns side outputs that are never read.
  const out = outputOf(await session.run({ [p.input]: ortTensor(input) }, [p.output]), p.output)
  const dims = out.dims
  const h = Number(dims[dims.length - 2])
  const w = Number(dims[dims.length - 1])
  const raw = out.data
  if (!(raw instanceof Float32Array) || raw.length < w * h) throw new Error(`Matte model ${model.manifest.id} returned ${out.type} [${dims.join(',')}]; expected float32 [1,1,h,w].`)
  // Resize the probabilities (not the logits) so edges blend the way the model's own post-processing does.
  const probability = p.activation === 'sigmoid' ? raw.subarray(0, w * h).map(sigmoid) : raw.subarray(0, w * h)
  const resized = resizeFloat(probability, w, h, source.width, source.height)
  const alpha = new Uint8Array(resized.length)
  for (let i = 0; i < resized.length; i++) alpha[i] = Math.round(Math.min(1, Math.max(0, resized[i]!)) * 255)
  return { alpha, width: source.width, height: source.height, modelId: model.manifest.id }
}

/** The matte as an 8-bit grey PNG (white = subject). */
export function mattePng(result: Pick<MatteResult, 'alpha' | 'width' | 'height'>): Promise<Buffer> {
  return greyPng(result.alpha, result.width, result.height)
}

/** The source with the matte as its alpha: an RGBA PNG cut-out (the source's own alpha multiplied in). */
export async function cutoutPng(image: ImageInput | RgbImage, result: Pick<MatteResult, 'alpha' | 'width' | 'height'>): Promise<Buffer> {
  const source = await decodeImage(image, { channels: 4 })
  if (source.width !== result.width || source.height !== result.height) {
    throw new Error(`The matte is ${result.width}×${result.height} but the image is ${source.width}×${source.height}.`)
  }
  const rgba = Uint8Array.from(source.data)
  for (let i = 0; i < result.alpha.length; i++) rgba[i * 4 + 3] = Math.round((rgba[i * 4 + 3]! * result.alpha[i]!) / 255)
  return colourPng(rgba, source.width, source.height, 4)
}
