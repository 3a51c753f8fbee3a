import { basename, dirname } from 'node:path'
import { z } from 'zod'
import type { AiDevice, ModelManifest } from '../../../shared/ai/manifest'
import { AppError } from '../../../shared/errors'
import type { LoadedModel, NativeLoader } from '../types'
import { decodeImage, type ImageInput } from '../tasks/image'

/**
 * Florence-2 captions (runtime `transformers`): @huggingface/transformers loads the model's four
 * graphs, tokenizer and processor from `<LATTICE_MODELS_DIR>/<id>/` (never from the network: the
 * downloader fetched and verified them), generates from a task token and post-processes the text.
 */

/** `manifest.processing` of a Florence-2 model: the onnx/ file variant (dtype) and generation length. */
export const florenceProcessingSchema = z.object({
  /** transformers.js dtype: fp32, fp16, q8, q4, … — one for all graphs or per graph. */
  dtype: z.union([z.string(), z.record(z.string(), z.string())]).default('q4'),
  maxNewTokens: z.number().int().positive().max(1024).default(256),
})

export const FLORENCE_TASKS = { caption: '<CAPTION>', detailed: '<DETAILED_CAPTION>', more_detailed: '<MORE_DETAILED_CAPTION>' } as const
export type FlorenceTask = keyof typeof FLORENCE_TASKS

interface FlorenceNative {
  model: { generate(inputs: Record<string, unknown>): Promise<unknown>; dispose(): Promise<unknown> }
  processor: {
    construct_prompts(text: string | string[]): string[]
    (images: unknown, text?: unknown): Promise<Record<string, unknown>>
    batch_decode(batch: unknown, options?: unknown): string[]
    post_process_generation(text: string, task: string, size: [number, number]): Record<string, unknown>
  }
  RawImage: new (data: Uint8Array, width: number, height: number, channels: 3) => unknown
  maxNewTokens: number
}

export const florenceLoader: NativeLoader = {
  async load(manifest: ModelManifest, dir: string, device: AiDevice) {
    const p = florenceProcessingSchema.parse(manifest.processing)
    const transformers = await import('@huggingface/transformers')
    const { env, AutoProcessor, Florence2ForConditionalGeneration, RawImage } = transformers
    env.allowRemoteModels = false
    env.allowLocalModels = true
    // Every model sits in LATTICE_MODELS_DIR, so the parent is the same for all of them.
    env.localModelPath = `${dirname(dir)}/`
    const name = basename(dir)
    const model = await Florence2ForConditionalGeneration.from_pretrained(name, {
      device,
      dtype: p.dtype as never,
      local_files_only: true,
    })
    const processor = await AutoProcessor.from_pretrained(name, { local_files_only: true })
    const native: FlorenceNative = { model: model as never, processor: processor as never, RawImage: RawImage as never, maxNewTokens: p.maxNewTokens }
    return { native, dispose: async () => { await model.dispose() } }
  },
}

export interface FlorenceCaptionOptions {
  task?: FlorenceTask
  /** Replaces the task token (a Florence task token such as `<OCR>`, or plain text). */
  prompt?: string
}

export async function caption(model: LoadedModel, image: ImageInput, options: FlorenceCaptionOptions = {}): Promise<{ text: string; task: string; modelId: string }> {
  const native = model.native as FlorenceNative | undefined
  if (!native?.processor || !native.model) throw new Error(`Model ${model.manifest.id} was not loaded with the Florence-2 loader.`)
  const task = options.prompt ?? FLORENCE_TASKS[options.task ?? 'caption']
  if (!task) throw new AppError('BAD_REQUEST', `Unknown caption task: use ${Object.keys(FLORENCE_TASKS).join(', ')}.`)
  const source = await decodeImage(image)
  const raw = new native.RawImage(source.data, source.width, source.height, 3)
  const prompts = native.processor.construct_prompts(task)
  const inputs = await native.processor(raw, prompts)
  const generated = await native.model.generate({ ...inputs, max_new_tokens: native.maxNewTokens })
  const [text = ''] = native.processor.batch_decode(generated, { skip_special_tokens: false })
  // transformers.js scales box coordinates with image_size[i % 2] for x, y: (width, height) despite its doc comment.
  const result = native.processor.post_process_generation(text, task, [source.width, source.height])
  const answer = result[task]
  return { text: typeof answer === 'string' ? answer.trim() : JSON.stringify(answer), task, modelId: model.manifest.id }
}
