import { AppError } from '../errors'
import type { TemplateManifest } from '../comfy/manifest'
import { applyValues, resolveParams } from '../comfy/template-values'
import type { Workflow } from '../comfy/workflow'

/**
 * A conditioning bundle is what Lattice exported (depth, normal or matte passes, …) plus a
 * template's workflow that reads those files, for opening in ComfyUI by hand.
 */

/** A model file a workflow loads, and its folder under ComfyUI's `models/`. */
export interface ModelFile { folder: string; file: string }

/** Core loaders: the input naming the file, and the folder_paths folder it is read from. */
const MODEL_LOADERS: Record<string, { input: string; folder: string }> = {
  CheckpointLoaderSimple: { input: 'ckpt_name', folder: 'checkpoints' },
  UNETLoader: { input: 'unet_name', folder: 'diffusion_models' },
  CLIPLoader: { input: 'clip_name', folder: 'text_encoders' },
  VAELoader: { input: 'vae_name', folder: 'vae' },
  CLIPVisionLoader: { input: 'clip_name', folder: 'clip_vision' },
  ControlNetLoader: { input: 'control_net_name', folder: 'controlnet' },
  LoraLoader: { input: 'lora_name', folder: 'loras' },
}

/**
 * The template's workflow with each input's node reading `files[input]` (its name in ComfyUI's
 * `input/` folder) and every parameter set: the given value, else its default (a random seed
 * unless one is given). Throws BAD_REQUEST for an unknown or missing input and for bad values.
 */
export function bundleWorkflow(workflow: Workflow, manifest: TemplateManifest, files: Record<string, string>, params: Record<string, unknown> = {}): Workflow {
  const declared = manifest.inputs.map((input) => input.name)
  for (const name of Object.keys(files)) {
    if (!declared.includes(name)) throw new AppError('BAD_REQUEST', `"${name}" is not an input of "${manifest.name}" (it takes: ${declared.join(', ') || 'no files'}).`)
  }
  const missing = manifest.inputs.find((input) => input.required && files[input.name] === undefined)
  if (missing) throw new AppError('BAD_REQUEST', `"${manifest.name}" needs ${missing.label ?? missing.name}: include its file in the export.`)
  return applyValues(workflow, manifest, resolveParams(manifest, params), files)
}

/** The model files a workflow's core loaders read, in node order, each once. */
export function modelFilesOf(workflow: Workflow): ModelFile[] {
  const found: ModelFile[] = []
  for (const node of Object.values(workflow)) {
    const loader = MODEL_LOADERS[node.class_type]
    if (!loader) continue
    const file = node.inputs[loader.input]
    if (typeof file === 'string' && !found.some((m) => m.folder === loader.folder && m.file === file)) found.push({ folder: loader.folder, file })
  }
  return found
}

/** Plain-text instructions for a bundle: where each file goes, how to open the workflow, which models it needs. */
export function bundleReadme(templateName: string, files: Record<string, string>, extra: { workflowFile: string; models: ModelFile[] }): string {
  const lines = [`${templateName}: a ComfyUI bundle exported by Lattice`, '']
  let step = 1
  const entries = Object.entries(files)
  if (entries.length > 0) {
    lines.push(`${step++}. Copy these files into ComfyUI's input/ folder (ComfyUI/input/):`)
    for (const [input, file] of entries) lines.push(`   - ${file}  (${input})`)
    // The loaders' file lists are read when the page loads.
    lines.push('   If ComfyUI is already open, refresh it (press R) so it lists them.')
  }
  lines.push(`${step++}. Open ${extra.workflowFile} in ComfyUI: Workflow → Open, or drag the file onto the canvas.`)
  if (extra.models.length > 0) {
    lines.push(`${step++}. The workflow expects these models under ComfyUI/models/:`)
    for (const model of extra.models) lines.push(`   - ${model.folder}/${model.file}`)
    lines.push('   If yours have other names, pick them in the loader nodes.')
  }
  lines.push(`${step}. Press Run (Queue Prompt).`)
  return `${lines.join('\n')}\n`
}
