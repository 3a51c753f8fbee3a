import type { TemplateInput, TemplateManifest, TemplateParameter } from './manifest'
import { comboOptions, inputOptionsOf, inputSpecOf, inputTypeOf, type InputSpec, type ObjectInfo } from './object-info'
import { LATENTS, promptSides, roleOf, ROLE_ORDER, samplingNodes, sortedNodes, type Role } from './draft-roles'
import { isLink, type Workflow, type WorkflowNode } from './workflow'

export { promptSides, sortedNodes } from './draft-roles'

/**
 * Reads an API-format workflow for the mapping table: every node's constant inputs with a type,
 * and a first manifest with the usual inputs (prompt, seed, size, model, pictures, outputs)
 * already mapped. A server's object_info, when given, supplies types, limits and combo options.
 */

export type ParameterType = TemplateParameter['type']
export interface ChoicesFrom { class_type: string; input: string }

/** One constant (non-link) input of a node. */
export interface LiteralInput {
  node: string
  classType: string
  /** The node's title in ComfyUI, else its type's name. */
  title: string
  input: string
  value: string | number | boolean
  type: ParameterType
  min?: number
  max?: number
  step?: number
  multiline?: boolean
  /** For combo inputs: where the server's options come from, and those options when known. */
  choicesFrom?: ChoicesFrom
  options?: string[]
  /** A file name ComfyUI loads (LoadImage): a picture from Lattice rather than a parameter. */
  picture?: 'image' | 'video'
}

export interface WorkflowNodeSummary {
  id: string
  classType: string
  title: string
  /** Writes or previews files, so it can be one of the manifest's outputs. */
  output: boolean
  /** Whether the server has this node type; undefined without object_info. */
  known?: boolean
}

export interface WorkflowDraft {
  nodes: WorkflowNodeSummary[]
  inputs: LiteralInput[]
  manifest: TemplateManifest
  /** Why the draft cannot be saved as it is, as sentences (empty when it can). */
  problems: string[]
}

const SAVING_CLASSES = new Set(['SaveImage', 'SaveAnimatedWEBP', 'SaveAnimatedPNG', 'SaveVideo', 'SaveWEBM', 'VHS_VideoCombine'])
/** Saves pictures: the stock savers, and packs' savers named after them (SaveImageWithMetaData…, WAS's "Image Save"). */
function savesFiles(classType: string): boolean {
  return SAVING_CLASSES.has(classType) || /^Save\w*(Image|Video|Animated)|^Image Save$/.test(classType)
}
const VIDEO_OUTPUTS = new Set(['SaveAnimatedWEBP', 'SaveAnimatedPNG', 'SaveVideo', 'SaveWEBM', 'VHS_VideoCombine'])
const PICTURE_INPUTS: Record<string, { input: string; kind: 'image' | 'video' }> = {
  LoadImage: { input: 'image', kind: 'image' },
  LoadImageMask: { input: 'image', kind: 'image' },
  LoadVideo: { input: 'file', kind: 'video' },
  VHS_LoadVideo: { input: 'video', kind: 'video' },
}
const SEED_INPUTS = new Set(['seed', 'noise_seed'])
/** Without object_info: inputs known to be combos, and numbers known to be floats even when whole. */
const KNOWN_COMBOS = new Set(['sampler_name', 'scheduler', 'ckpt_name', 'unet_name', 'control_net_name', 'vae_name', 'clip_name', 'lora_name', 'weight_dtype', 'base_ckpt_name'])
const KNOWN_FLOATS = new Set(['cfg', 'denoise', 'strength', 'strength_model', 'strength_clip', 'start_percent', 'end_percent', 'shift', 'fps', 'scale_by', 'upscale_by', 'megapixels', 'guidance'])

function titleOf(node: WorkflowNode, objectInfo?: ObjectInfo): string {
  return node._meta?.title || objectInfo?.[node.class_type]?.display_name || node.class_type
}

/** Every node with whether it can be an output and whether the server knows it. */
export function nodeSummaries(workflow: Workflow, objectInfo?: ObjectInfo): WorkflowNodeSummary[] {
  return sortedNodes(workflow).map(([id, node]) => {
    const info = objectInfo?.[node.class_type]
    return {
      id, classType: node.class_type, title: titleOf(node, objectInfo),
      output: savesFiles(node.class_type) || node.class_type === 'PreviewImage' || info?.output_node === true,
      ...(objectInfo ? { known: info !== undefined } : {}),
    }
  })
}

/** The constant inputs of every node, typed from object_info when given, else from their values. */
export function literalInputs(workflow: Workflow, objectInfo?: ObjectInfo): LiteralInput[] {
  const found: LiteralInput[] = []
  for (const [id, node] of sortedNodes(workflow)) {
    const info = objectInfo?.[node.class_type]
    for (const [input, value] of Object.entries(node.inputs)) {
      if (isLink(value) || (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')) continue
      const base = { node: id, classType: node.class_type, title: titleOf(node, objectInfo), input, value }
      const spec = info ? inputSpecOf(info, input) : undefined
      found.push({ ...base, ...(typed(base, spec) ?? guessed(base)) })
    }
  }
  return found
}

type Described = Omit<LiteralInput, 'node' | 'classType' | 'title' | 'input' | 'value'>
type Base = Pick<LiteralInput, 'classType' | 'input' | 'value'>

function typed({ classType, input, value }: Base, spec: InputSpec | undefined): Described | undefined {
  if (!spec) return undefined
  const options = inputOptionsOf(spec)
  if (typeof value === 'string' && (options.image_upload === true || options.video_upload === true)) return { type: 'string', picture: options.video_upload === true ? 'video' : 'image' }
  const combo = comboOptions(spec)
  if (combo) return typeof value === 'string' ? { type: 'choice', choicesFrom: { class_type: classType, input }, options: combo } : undefined
  switch (inputTypeOf(spec)) {
    case 'INT':
      if (typeof value !== 'number' || !Number.isInteger(value)) return undefined
      if ((SEED_INPUTS.has(input) || options.control_after_generate === true) && value >= 0) return { type: 'seed' }
      return { type: 'int', ...bounds(options, true) }
    case 'FLOAT':
      return typeof value === 'number' ? { type: 'float', ...bounds(options, false) } : undefined
    case 'STRING':
      return typeof value === 'string' ? { type: 'string', multiline: options.multiline === true } : undefined
    case 'BOOLEAN':
      return typeof value === 'boolean' ? { type: 'boolean' } : undefined
    default:
      return undefined
  }
}

function guessed({ classType, input, value }: Base): Described {
  if (typeof value === 'boolean') return { type: 'boolean' }
  if (typeof value === 'number') {
    if (SEED_INPUTS.has(input) && Number.isInteger(value) && value >= 0) return { type: 'seed' }
    return Number.isInteger(value) && !KNOWN_FLOATS.has(input) ? { type: 'int' } : { type: 'float' }
  }
  const picture = PICTURE_INPUTS[classType]
  if (picture?.input === input) return { type: 'string', picture: picture.kind }
  if (KNOWN_COMBOS.has(input)) return { type: 'choice', choicesFrom: { class_type: classType, input } }
  return { type: 'string', multiline: input === 'text' || value.includes('\n') }
}

/** min/max/step from an input's options; integers only when safe, so the manifest accepts them. */
function bounds(options: Record<string, unknown>, integer: boolean): Pick<LiteralInput, 'min' | 'max' | 'step'> {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && (!integer || Number.isSafeInteger(n))
  return {
    ...(ok(options.min) ? { min: options.min } : {}),
    ...(ok(options.max) ? { max: options.max } : {}),
    ...(ok(options.step) && options.step > 0 ? { step: options.step } : {}),
  }
}

/** A manifest parameter that sets `literal`, with its value as the default. */
export function parameterFor(literal: LiteralInput, name: string, label: string, fallback: Role['fallback'] = {}): TemplateParameter {
  const common = { name, label, targets: [{ node: literal.node, input: literal.input }] }
  const value = literal.value
  const limits = { min: literal.min ?? fallback.min, max: literal.max ?? fallback.max, step: literal.step }
  const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
  switch (literal.type) {
    case 'seed':
      return { ...common, type: 'seed' }
    case 'int':
      return { ...common, type: 'int', default: Math.round(Number(value)), ...defined(limits) }
    case 'float':
      return { ...common, type: 'float', default: Number(value), ...defined(limits) }
    case 'boolean':
      return { ...common, type: 'boolean', default: value === true }
    case 'choice':
      return { ...common, type: 'choice', default: String(value), choicesFrom: literal.choicesFrom ?? { class_type: literal.classType, input: literal.input } }
    case 'string':
      return { ...common, type: 'string', default: String(value), multiline: literal.multiline ?? false, maxLength: Math.max(10_000, String(value).length) }
  }
}

/** `base`, or `base_2`, `base_3`, … whichever is not taken yet. */
export function uniqueName(base: string, taken: Set<string>): string {
  let name = base
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`
  return name
}

/** A first manifest for `workflow`: common inputs mapped, pictures and outputs picked. */
export function draftManifest(workflow: Workflow, options: { name?: string; objectInfo?: ObjectInfo } = {}): WorkflowDraft {
  const { objectInfo } = options
  const nodes = nodeSummaries(workflow, objectInfo)
  const inputs = literalInputs(workflow, objectInfo)
  const context = { sides: promptSides(workflow, objectInfo), sampling: samplingNodes(workflow) }
  const parameters: TemplateParameter[] = []
  const pictures: TemplateInput[] = []
  const taken = new Set<string>()
  const firstValue = new Map<string, LiteralInput['value']>()

  for (const literal of inputs) {
    if (literal.picture) {
      const name = uniqueName(literal.picture, taken)
      taken.add(name)
      const label = literal.title === literal.classType || /^Load (Image|Video)$/.test(literal.title) ? (literal.picture === 'image' ? 'Image' : 'Video') : literal.title
      pictures.push({ name, label, kind: literal.picture, required: true, target: { node: literal.node, input: literal.input } })
      continue
    }
    const role = roleOf(literal, context)
    if (!role) continue
    // The same value in several nodes (both passes' seed, one prompt for two samplers) becomes one parameter.
    const same = parameters.find((p) => (p.name === role.name || p.name.startsWith(`${role.name}_`)) && p.type === literal.type && firstValue.get(p.name) === literal.value)
    if (same) {
      same.targets.push({ node: literal.node, input: literal.input })
      continue
    }
    const name = uniqueName(role.name, taken)
    taken.add(name)
    firstValue.set(name, literal.value)
    parameters.push(parameterFor(literal, name, name === role.name ? role.label : `${role.label} ${name.slice(role.name.length + 1)}`, role.fallback))
  }

  // The form lists what people change most first.
  const rank = (name: string) => { const at = ROLE_ORDER.indexOf(name.replace(/_\d+$/, '')); return at < 0 ? ROLE_ORDER.length : at }
  parameters.sort((x, y) => rank(x.name) - rank(y.name))

  const saving = nodes.filter((n) => savesFiles(n.classType))
  const previews = nodes.filter((n) => n.classType === 'PreviewImage')
  const outputs = (saving.length ? saving : previews.length ? previews : nodes.filter((n) => n.output)).map((n) => n.id)
  const video = nodes.some((n) => VIDEO_OUTPUTS.has(n.classType) && outputs.includes(n.id)) || inputs.some((l) => l.input === 'length' && LATENTS.test(l.classType))
  const manifest: TemplateManifest = {
    name: options.name?.trim().slice(0, 100) || 'My workflow',
    description: '',
    category: video ? 'video' : 'image',
    parameters,
    inputs: pictures,
    outputs,
    timeoutSeconds: video ? 3600 : 600,
  }
  const problems = outputs.length > 0 ? [] : ['The workflow has no output node (such as SaveImage or SaveAnimatedWEBP), so ComfyUI would make nothing Lattice can keep. Add one in ComfyUI and export the workflow again.']
  return { nodes, inputs, manifest, problems }
}
