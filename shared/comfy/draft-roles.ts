import type { ObjectInfo } from './object-info'
import { isLink, type Workflow, type WorkflowNode } from './workflow'

/**
 * Which constant inputs of an exported workflow a user would want on the form: the prompt and
 * negative prompt, seed, steps, cfg, sampler, size and length, and the model. Read from the
 * shapes people export: the stock KSampler, custom sampling (SamplerCustom, SamplerCustomAdvanced
 * with its noise, scheduler, guider and sampler nodes), node packs' samplers and loaders, SDXL and
 * Flux text encoders, video latents and GGUF loaders.
 */

export interface Role { name: string; label: string; fallback?: { min?: number; max?: number } }
export type PromptSide = 'positive' | 'negative'

/** Inputs of a text encoder that hold prompt text (CLIPTextEncodeSDXL's two, Flux's two, Qwen's `prompt`). */
const TEXT_INPUTS = new Set(['text', 'text_g', 'text_l', 'clip_l', 't5xxl', 'prompt'])
/**
 * Inputs of a node that only holds text (core `PrimitiveStringMultiline`'s `value`, text nodes of
 * packs with `text` or `string`), when that node's output is an encoder's prompt: the text the user edits.
 */
const TEXT_SOURCE_INPUTS = ['value', 'text', 'string', 'prompt']
/** A sampler's inputs fed by the nodes that hold its settings in custom sampling. */
const SETTING_LINKS = ['noise', 'sigmas', 'guider', 'sampler', 'seed', 'noise_seed', 'steps', 'cfg']
/** Latents and image-to-video conditioners with the picture's size and the video's length. */
export const LATENTS = /^(Empty\w*Latent\w*|\w*ToVideo\w*)$/

const SAMPLER_ROLES: Record<string, Role> = {
  seed: { name: 'seed', label: 'Seed' },
  noise_seed: { name: 'seed', label: 'Seed' },
  steps: { name: 'steps', label: 'Steps', fallback: { min: 1 } },
  cfg: { name: 'cfg', label: 'CFG', fallback: { min: 0 } },
  sampler_name: { name: 'sampler', label: 'Sampler' },
  scheduler: { name: 'scheduler', label: 'Scheduler' },
  denoise: { name: 'denoise', label: 'Denoise', fallback: { min: 0, max: 1 } },
}
const LATENT_ROLES: Record<string, Role> = {
  width: { name: 'width', label: 'Width', fallback: { min: 1 } },
  height: { name: 'height', label: 'Height', fallback: { min: 1 } },
  length: { name: 'frames', label: 'Length (frames)', fallback: { min: 1 } },
}
const PROMPT: Role = { name: 'prompt', label: 'Prompt' }
const NEGATIVE: Role = { name: 'negative', label: 'Negative prompt' }
const CHECKPOINT: Role = { name: 'checkpoint', label: 'Checkpoint' }
const DIFFUSION_MODEL: Role = { name: 'model', label: 'Diffusion model' }
const GUIDANCE: Role = { name: 'guidance', label: 'Guidance', fallback: { min: 0 } }

/** Loaders by input: the stock ones, GGUF's, and the efficiency pack's, which also hold prompts and the size. */
const LOADERS: Record<string, Record<string, Role>> = {
  CheckpointLoaderSimple: { ckpt_name: CHECKPOINT },
  UNETLoader: { unet_name: DIFFUSION_MODEL },
  UnetLoaderGGUF: { unet_name: DIFFUSION_MODEL },
  UnetLoaderGGUFAdvanced: { unet_name: DIFFUSION_MODEL },
  ControlNetLoader: { control_net_name: { name: 'controlnet', label: 'ControlNet model' } },
  'Efficient Loader': { ckpt_name: CHECKPOINT, positive: PROMPT, negative: NEGATIVE, empty_latent_width: LATENT_ROLES.width!, empty_latent_height: LATENT_ROLES.height! },
  // rgthree's SDXL latent takes its size as one preset string, " 832 x 1216  (portrait)".
  'SDXL Empty Latent Image (rgthree)': { dimensions: { name: 'size', label: 'Size' } },
  'Eff. Loader SDXL': { base_ckpt_name: CHECKPOINT, positive: PROMPT, negative: NEGATIVE, empty_latent_width: LATENT_ROLES.width!, empty_latent_height: LATENT_ROLES.height! },
}

export const ROLE_ORDER = ['prompt', 'negative', 'checkpoint', 'model', 'controlnet', 'width', 'height', 'size', 'frames', 'seed', 'steps', 'cfg', 'guidance', 'sampler', 'scheduler', 'denoise']

/** Node entries in id order (numerically when the ids are numbers, as ComfyUI numbers them). */
export function sortedNodes(workflow: Workflow): Array<[string, WorkflowNode]> {
  return Object.entries(workflow).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
}

/** A node that denoises a latent: KSampler, its pack variants (Efficient, Inspire, ClownsharK…) and custom samplers. */
export function isSampler(node: WorkflowNode): boolean {
  return 'latent_image' in node.inputs && SETTING_LINKS.some((input) => input in node.inputs)
}

/** Samplers, and the nodes that hold their settings (RandomNoise, BasicScheduler, CFGGuider, KSamplerSelect, a seed node). */
export function samplingNodes(workflow: Workflow): Set<string> {
  const found = new Set<string>()
  for (const [id, node] of sortedNodes(workflow)) {
    if (!isSampler(node)) continue
    found.add(id)
    for (const input of SETTING_LINKS) {
      const value = node.inputs[input]
      if (isLink(value) && workflow[String(value[0])]) found.add(String(value[0]))
    }
  }
  return found
}

export function isTextEncoder(node: WorkflowNode): boolean {
  return node.class_type === 'CLIPTextEncode' || (/TextEncode/.test(node.class_type) && Object.entries(node.inputs).some(([input, value]) => TEXT_INPUTS.has(input) && typeof value === 'string'))
}

/**
 * Which text encoders feed a `positive` and which a `negative` input (of a sampler or a CFGGuider,
 * or of nodes in between such as ControlNetApplyAdvanced and WanImageToVideo, which pass both sides
 * on); what a guider takes as its one `conditioning` is the prompt.
 */
export function promptSides(workflow: Workflow, objectInfo?: ObjectInfo): Map<string, PromptSide> {
  const sides = new Map<string, PromptSide>()
  // Positive last, so an encoder feeding both sides counts as the prompt.
  for (const side of ['negative', 'positive'] as const) {
    for (const [, node] of sortedNodes(workflow)) {
      const inputs = side === 'positive' && /Guider/.test(node.class_type) ? [node.inputs.positive, node.inputs.conditioning] : [node.inputs[side]]
      for (const input of inputs) for (const id of encodersBehind(workflow, input, objectInfo, new Set())) sides.set(id, side)
    }
  }
  for (const [id, side] of [...sides]) for (const source of textSources(workflow, workflow[id]!)) if (!sides.has(source)) sides.set(source, side)
  for (const [id, node] of sortedNodes(workflow)) {
    if (sides.has(id) || !isTextEncoder(node)) continue
    // Not connected to a sampler the usual way: the title often says which it is.
    if (/negative/i.test(node._meta?.title ?? '')) sides.set(id, 'negative')
    else if (/positive|prompt/i.test(node._meta?.title ?? '')) sides.set(id, 'positive')
  }
  return sides
}

/** Nodes holding the text a prompt input is linked to (a prompt kept in its own text node). */
function textSources(workflow: Workflow, encoder: WorkflowNode): string[] {
  return Object.entries(encoder.inputs).flatMap(([input, value]) => {
    if (!TEXT_INPUTS.has(input) || !isLink(value)) return []
    const id = String(value[0])
    const source = workflow[id]
    return source && TEXT_SOURCE_INPUTS.some((name) => typeof source.inputs[name] === 'string') ? [id] : []
  })
}

function encodersBehind(workflow: Workflow, value: unknown, objectInfo: ObjectInfo | undefined, seen: Set<string>): string[] {
  if (!isLink(value) || value.length !== 2) return []
  const source = String(value[0])
  const slot = Number(value[1])
  const node = workflow[source]
  if (!node || seen.has(source)) return []
  seen.add(source)
  if (isTextEncoder(node)) return [source]
  if (isLink(node.inputs.positive) && isLink(node.inputs.negative)) {
    const named = objectInfo?.[node.class_type]?.output_name?.[slot]
    const side = named === 'positive' || named === 'negative' ? named : slot === 0 ? 'positive' : slot === 1 ? 'negative' : undefined
    return side ? encodersBehind(workflow, node.inputs[side], objectInfo, seen) : []
  }
  // Conditioning combined or edited on the way (ConditioningCombine, FluxGuidance, ConditioningSetArea, …).
  return Object.values(node.inputs).flatMap((input) => encodersBehind(workflow, input, objectInfo, seen))
}

export interface RoleContext { sides: Map<string, PromptSide>; sampling: Set<string> }

/** The form field one constant input of node `node` stands for, if a user would want one. */
export function roleOf(literal: { node: string; classType: string; input: string; value: unknown }, context: RoleContext): Role | undefined {
  if ((TEXT_INPUTS.has(literal.input) || TEXT_SOURCE_INPUTS.includes(literal.input)) && typeof literal.value === 'string') {
    const side = context.sides.get(literal.node)
    if (side === 'positive') return PROMPT
    if (side === 'negative') return NEGATIVE
  }
  if (context.sampling.has(literal.node)) {
    const role = SAMPLER_ROLES[literal.input]
    if (role) return role
  }
  if (LATENTS.test(literal.classType)) return LATENT_ROLES[literal.input]
  // Flux-style distilled guidance (FluxGuidance, CLIPTextEncodeFlux) takes the place of cfg.
  if (literal.input === 'guidance' && typeof literal.value === 'number') return GUIDANCE
  return LOADERS[literal.classType]?.[literal.input]
}
