import { createHash } from 'node:crypto'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import sharp from 'sharp'

/** What flows along links in the stand-in: just enough to size the images it writes. */
export interface Picture { width: number; height: number; batch: number; rgb: [number, number, number] }

export interface NodeRunContext {
  inputDir: string
  /** Writes one PNG per batch item under output or temp and returns the UI entries. */
  save(picture: Picture, prefix: string, kind: 'output' | 'temp', format?: 'png' | 'webp'): Promise<Array<{ filename: string; subfolder: string; type: string }>>
}

export interface NodeDef {
  /** The `/object_info` entry (recomputed per call, like combos over files). */
  info(env: NodeEnv): Record<string, unknown>
  returnTypes: string[]
  outputNode?: boolean
  /** Sampler-like nodes report progress and can be interrupted between steps. */
  steps?(inputs: Record<string, unknown>): number
  run(inputs: Record<string, unknown>, context: NodeRunContext): Promise<{ values: unknown[]; ui?: Record<string, unknown> }>
  /** ComfyUI's VALIDATE_INPUTS: true, or the text of the problem. Inputs it covers skip the list check. */
  validate?(inputs: Record<string, unknown>, env: NodeEnv): true | string
  validatedInputs?: string[]
  /** Part of the cache signature besides the inputs (IS_CHANGED). */
  isChanged?(inputs: Record<string, unknown>, env: NodeEnv): string
}

export interface NodeEnv { inputDir: string; models: Record<string, string[]> }

const INT = (def: number, min: number, max: number) => ['INT', { default: def, min, max, step: 1 }]

function entry(name: string, required: Record<string, unknown>, output: string[], extra: { optional?: Record<string, unknown>; hidden?: Record<string, unknown>; outputNode?: boolean; category?: string; outputNames?: string[] } = {}) {
  return {
    input: { required, ...(extra.optional ? { optional: extra.optional } : {}), ...(extra.hidden ? { hidden: extra.hidden } : {}) },
    input_order: { required: Object.keys(required), ...(extra.optional ? { optional: Object.keys(extra.optional) } : {}), ...(extra.hidden ? { hidden: Object.keys(extra.hidden) } : {}) },
    output,
    output_is_list: output.map(() => false),
    // RETURN_NAMES (or a V3 output's display_name) where the node declares them, else the types.
    output_name: extra.outputNames ?? output,
    name,
    display_name: name,
    description: '',
    python_module: 'nodes',
    category: extra.category ?? 'stand-in',
    output_node: extra.outputNode ?? false,
  }
}

function picture(value: unknown): Picture {
  return (value as Picture | undefined) ?? { width: 64, height: 64, batch: 1, rgb: [128, 128, 128] }
}

export function inputFiles(inputDir: string): string[] {
  if (!existsSync(inputDir)) return []
  return readdirSync(inputDir, { recursive: true, encoding: 'utf8' }).filter((name) => statSync(join(inputDir, name)).isFile()).map((name) => name.split('\\').join('/')).sort()
}

const VIDEO_FILE = /\.(mp4|m4v|mov|webm|mkv|avi)$/i
const SAMPLERS = ['euler', 'euler_ancestral', 'dpmpp_2m', 'heun', 'dpmpp_2m_sde', 'uni_pc', 'ddim', 'lcm']
const SCHEDULERS = ['simple', 'sgm_uniform', 'karras', 'exponential', 'ddim_uniform', 'beta', 'normal', 'linear_quadratic', 'kl_optimal']
const MAX_RESOLUTION = 16384
const FLOAT = (def: number, min: number, max: number, step = 0.01) => ['FLOAT', { default: def, min, max, step }]

/** A loader of one model folder: its combo lists the files the server has, like folder_paths does. */
function loader(name: string, input: string, folder: string, output: string[], extra: Record<string, unknown> = {}, optional?: Record<string, unknown>): NodeDef {
  return {
    info: (env) => entry(name, { [input]: [env.models[folder] ?? [], {}], ...extra }, output, { category: 'loaders', optional }),
    returnTypes: output,
    run: async (inputs) => ({ values: output.map((type) => ({ [type.toLowerCase()]: inputs[input] })) }),
  }
}

export const DEFAULT_NODES: Record<string, NodeDef> = {
  EmptyImage: {
    info: () => entry('EmptyImage', { width: INT(512, 1, 16384), height: INT(512, 1, 16384), batch_size: INT(1, 1, 4096), color: ['INT', { default: 0, min: 0, max: 0xffffff, step: 1, display: 'color' }] }, ['IMAGE']),
    returnTypes: ['IMAGE'],
    run: async (inputs) => {
      const color = Number(inputs.color)
      return { values: [{ width: Number(inputs.width), height: Number(inputs.height), batch: Number(inputs.batch_size), rgb: [(color >> 16) & 255, (color >> 8) & 255, color & 255] }] }
    },
  },
  CheckpointLoaderSimple: {
    info: (env) => entry('CheckpointLoaderSimple', { ckpt_name: [env.models.checkpoints ?? [], { tooltip: 'The name of the checkpoint (model) to load.' }] }, ['MODEL', 'CLIP', 'VAE'], { category: 'loaders' }),
    returnTypes: ['MODEL', 'CLIP', 'VAE'],
    run: async (inputs) => ({ values: [{ model: inputs.ckpt_name }, { clip: inputs.ckpt_name }, { vae: inputs.ckpt_name }] }),
  },
  EmptyLatentImage: {
    info: () => entry('EmptyLatentImage', { width: ['INT', { default: 512, min: 16, max: 16384, step: 8 }], height: ['INT', { default: 512, min: 16, max: 16384, step: 8 }], batch_size: INT(1, 1, 4096) }, ['LATENT'], { category: 'latent' }),
    returnTypes: ['LATENT'],
    run: async (inputs) => ({ values: [{ width: Number(inputs.width), height: Number(inputs.height), batch: Number(inputs.batch_size), rgb: [40, 90, 160] }] }),
  },
  KSampler: {
    info: () => entry('KSampler', {
      model: ['MODEL', {}],
      // ComfyUI sends 0xffffffffffffffff, which JSON.parse reads as the double 2^64.
      seed: ['INT', { default: 0, min: 0, max: 2 ** 64, control_after_generate: true }],
      steps: INT(20, 1, 10000),
      cfg: ['FLOAT', { default: 8.0, min: 0.0, max: 100.0, step: 0.1, round: 0.01 }],
      sampler_name: [SAMPLERS, {}],
      scheduler: [SCHEDULERS, {}],
      positive: ['CONDITIONING', {}],
      negative: ['CONDITIONING', {}],
      latent_image: ['LATENT', {}],
      denoise: ['FLOAT', { default: 1.0, min: 0.0, max: 1.0, step: 0.01 }],
    }, ['LATENT'], { category: 'sampling' }),
    returnTypes: ['LATENT'],
    steps: (inputs) => Number(inputs.steps),
    run: async (inputs) => {
      const latent = picture(inputs.latent_image)
      const seed = Number(inputs.seed)
      return { values: [{ ...latent, rgb: [seed % 256, (seed >> 8) % 256, 200] }] }
    },
  },
  VAEDecode: {
    info: () => entry('VAEDecode', { samples: ['LATENT', {}], vae: ['VAE', {}] }, ['IMAGE'], { category: 'latent' }),
    returnTypes: ['IMAGE'],
    run: async (inputs) => ({ values: [picture(inputs.samples)] }),
  },
  ImageInvert: {
    info: () => entry('ImageInvert', { image: ['IMAGE', {}] }, ['IMAGE'], { category: 'image' }),
    returnTypes: ['IMAGE'],
    run: async (inputs) => {
      const p = picture(inputs.image)
      return { values: [{ ...p, rgb: p.rgb.map((c) => 255 - c) as Picture['rgb'] }] }
    },
  },
  LoadImage: {
    info: (env) => entry('LoadImage', { image: [inputFiles(env.inputDir), { image_upload: true }] }, ['IMAGE', 'MASK'], { category: 'image' }),
    returnTypes: ['IMAGE', 'MASK'],
    validatedInputs: ['image'],
    validate: (inputs, env) => (existsSync(join(env.inputDir, String(inputs.image))) ? true : `Invalid image file: ${String(inputs.image)}`),
    isChanged: (inputs, env) => {
      const path = join(env.inputDir, String(inputs.image))
      return existsSync(path) ? createHash('sha256').update(`${statSync(path).mtimeMs}:${statSync(path).size}`).digest('hex') : ''
    },
    run: async (inputs, context) => {
      const meta = await sharp(join(context.inputDir, String(inputs.image))).metadata()
      return { values: [{ width: meta.width ?? 64, height: meta.height ?? 64, batch: 1, rgb: [90, 90, 90] }, { mask: true }] }
    },
  },
  SaveImage: {
    info: () => entry('SaveImage', { images: ['IMAGE', { tooltip: 'The images to save.' }], filename_prefix: ['STRING', { default: 'ComfyUI' }] }, [], { hidden: { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' }, outputNode: true, category: 'image' }),
    returnTypes: [],
    outputNode: true,
    run: async (inputs, context) => ({ values: [], ui: { images: await context.save(picture(inputs.images), String(inputs.filename_prefix), 'output') } }),
  },
  CLIPTextEncode: {
    info: () => entry('CLIPTextEncode', { text: ['STRING', { multiline: true, dynamicPrompts: true }], clip: ['CLIP', {}] }, ['CONDITIONING'], { category: 'conditioning' }),
    returnTypes: ['CONDITIONING'],
    run: async (inputs) => ({ values: [{ text: inputs.text }] }),
  },
  VAEEncode: {
    info: () => entry('VAEEncode', { pixels: ['IMAGE', {}], vae: ['VAE', {}] }, ['LATENT'], { category: 'latent' }),
    returnTypes: ['LATENT'],
    run: async (inputs) => ({ values: [picture(inputs.pixels)] }),
  },
  ControlNetLoader: loader('ControlNetLoader', 'control_net_name', 'controlnet', ['CONTROL_NET']),
  ControlNetApplyAdvanced: {
    info: () => entry('ControlNetApplyAdvanced', {
      positive: ['CONDITIONING', {}], negative: ['CONDITIONING', {}], control_net: ['CONTROL_NET', {}], image: ['IMAGE', {}],
      strength: FLOAT(1.0, 0.0, 10.0), start_percent: FLOAT(0.0, 0.0, 1.0, 0.001), end_percent: FLOAT(1.0, 0.0, 1.0, 0.001),
    }, ['CONDITIONING', 'CONDITIONING'], { optional: { vae: ['VAE', {}] }, category: 'conditioning/controlnet', outputNames: ['positive', 'negative'] }),
    returnTypes: ['CONDITIONING', 'CONDITIONING'],
    run: async (inputs) => ({ values: [inputs.positive, inputs.negative] }),
  },
  UNETLoader: loader('UNETLoader', 'unet_name', 'diffusion_models', ['MODEL'], { weight_dtype: [['default', 'fp8_e4m3fn', 'fp8_e4m3fn_fast', 'fp8_e5m2'], {}] }),
  CLIPLoader: loader('CLIPLoader', 'clip_name', 'text_encoders', ['CLIP'], {
    type: [['stable_diffusion', 'stable_cascade', 'sd3', 'stable_audio', 'mochi', 'ltxv', 'pixart', 'cosmos', 'lumina2', 'wan', 'hidream', 'chroma', 'ace', 'omnigen2', 'qwen_image', 'hunyuan_image'], {}],
  }, { device: [['default', 'cpu'], { advanced: true }] }),
  VAELoader: loader('VAELoader', 'vae_name', 'vae', ['VAE']),
  CLIPVisionLoader: loader('CLIPVisionLoader', 'clip_name', 'clip_vision', ['CLIP_VISION']),
  CLIPVisionEncode: {
    info: () => entry('CLIPVisionEncode', { clip_vision: ['CLIP_VISION', {}], image: ['IMAGE', {}], crop: [['center', 'none'], {}] }, ['CLIP_VISION_OUTPUT'], { category: 'conditioning' }),
    returnTypes: ['CLIP_VISION_OUTPUT'],
    run: async () => ({ values: [{ embeds: true }] }),
  },
  ModelSamplingSD3: {
    info: () => entry('ModelSamplingSD3', { model: ['MODEL', {}], shift: FLOAT(3.0, 0.0, 100.0) }, ['MODEL'], { category: 'advanced/model' }),
    returnTypes: ['MODEL'],
    run: async (inputs) => ({ values: [inputs.model] }),
  },
  WanImageToVideo: {
    info: () => entry('WanImageToVideo', {
      positive: ['CONDITIONING', {}], negative: ['CONDITIONING', {}], vae: ['VAE', {}],
      width: ['INT', { default: 832, min: 16, max: MAX_RESOLUTION, step: 16 }], height: ['INT', { default: 480, min: 16, max: MAX_RESOLUTION, step: 16 }],
      length: ['INT', { default: 81, min: 1, max: MAX_RESOLUTION, step: 4 }], batch_size: INT(1, 1, 4096),
    }, ['CONDITIONING', 'CONDITIONING', 'LATENT'], { optional: { clip_vision_output: ['CLIP_VISION_OUTPUT', {}], start_image: ['IMAGE', {}] }, category: 'conditioning/video_models', outputNames: ['positive', 'negative', 'latent'] }),
    returnTypes: ['CONDITIONING', 'CONDITIONING', 'LATENT'],
    run: async (inputs) => ({ values: [inputs.positive, inputs.negative, { width: Number(inputs.width), height: Number(inputs.height), batch: 1, rgb: [30, 120, 60] }] }),
  },
  LoadVideo: {
    // A V3 node: its combo lists only the video files of input/ (folder_paths.filter_files_content_types).
    info: (env) => entry('LoadVideo', { file: ['COMBO', { multiselect: false, options: inputFiles(env.inputDir).filter((name) => VIDEO_FILE.test(name)), video_upload: true }] }, ['VIDEO'], { category: 'image/video' }),
    returnTypes: ['VIDEO'],
    validatedInputs: ['file'],
    validate: (inputs, env) => (existsSync(join(env.inputDir, String(inputs.file))) ? true : `Invalid video file: ${String(inputs.file)}`),
    isChanged: (inputs, env) => {
      const path = join(env.inputDir, String(inputs.file))
      return existsSync(path) ? String(statSync(path).mtimeMs) : ''
    },
    run: async (inputs) => ({ values: [{ video: inputs.file }] }),
  },
  GetVideoComponents: {
    info: () => entry('GetVideoComponents', { video: ['VIDEO', {}] }, ['IMAGE', 'AUDIO', 'FLOAT'], { category: 'image/video', outputNames: ['images', 'audio', 'fps'] }),
    returnTypes: ['IMAGE', 'AUDIO', 'FLOAT'],
    run: async () => ({ values: [{ width: 64, height: 64, batch: 1, rgb: [70, 70, 70] }, null, 24] }),
  },
  WanFunControlToVideo: {
    info: () => entry('WanFunControlToVideo', {
      positive: ['CONDITIONING', {}], negative: ['CONDITIONING', {}], vae: ['VAE', {}],
      width: ['INT', { default: 832, min: 16, max: MAX_RESOLUTION, step: 16 }], height: ['INT', { default: 480, min: 16, max: MAX_RESOLUTION, step: 16 }],
      length: ['INT', { default: 81, min: 1, max: MAX_RESOLUTION, step: 4 }], batch_size: INT(1, 1, 4096),
    }, ['CONDITIONING', 'CONDITIONING', 'LATENT'], { optional: { clip_vision_output: ['CLIP_VISION_OUTPUT', {}], start_image: ['IMAGE', {}], control_video: ['IMAGE', {}] }, category: 'conditioning/video_models', outputNames: ['positive', 'negative', 'latent'] }),
    returnTypes: ['CONDITIONING', 'CONDITIONING', 'LATENT'],
    run: async (inputs) => ({ values: [inputs.positive, inputs.negative, { width: Number(inputs.width), height: Number(inputs.height), batch: 1, rgb: [60, 30, 120] }] }),
  },
  SaveAnimatedWEBP: {
    info: () => entry('SaveAnimatedWEBP', {
      images: ['IMAGE', {}], filename_prefix: ['STRING', { default: 'ComfyUI' }], fps: FLOAT(6.0, 0.01, 1000.0),
      // A V3 node (comfy_api io.Schema): its combo is listed as ["COMBO", {options}], not [[...options]].
      lossless: ['BOOLEAN', { default: true }], quality: ['INT', { default: 80, min: 0, max: 100 }], method: ['COMBO', { multiselect: false, options: ['default', 'fastest', 'slowest'] }],
    }, [], { hidden: { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' }, outputNode: true, category: 'image/animation' }),
    returnTypes: [],
    outputNode: true,
    run: async (inputs, context) => ({ values: [], ui: { images: await context.save(picture(inputs.images), String(inputs.filename_prefix), 'output', 'webp'), animated: [true] } }),
  },
  PreviewImage: {
    info: () => entry('PreviewImage', { images: ['IMAGE', {}] }, [], { hidden: { prompt: 'PROMPT', extra_pnginfo: 'EXTRA_PNGINFO' }, outputNode: true, category: 'image' }),
    returnTypes: [],
    outputNode: true,
    run: async (inputs, context) => ({ values: [], ui: { images: await context.save(picture(inputs.images), 'ComfyUI_temp_abcde', 'temp') } }),
  },
}
