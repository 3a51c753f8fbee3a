import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DEFAULT_NODES } from '../../comfy/stand-in/nodes'
import { objectInfoSchema, type ObjectInfo } from '../../../shared/comfy/object-info'
import type { Workflow } from '../../../shared/comfy/workflow'

/** The stand-in's object_info (ComfyUI's shapes for the core nodes), with these model files. */
export function standInObjectInfo(models: Record<string, string[]> = { checkpoints: ['sd15.safetensors', 'sdxl_base.safetensors'], controlnet: ['control_v11f1p_sd15_depth.pth'], diffusion_models: ['wan.safetensors'] }): ObjectInfo {
  const env = { inputDir: '/nonexistent', models }
  return objectInfoSchema.parse(Object.fromEntries(Object.entries(DEFAULT_NODES).map(([name, node]) => [name, node.info(env)])))
}

/** Every shipped template as `{id, workflow, manifest}`, read from `workflows/`. */
export function shippedTemplates(): Array<{ id: string; workflow: Workflow; manifest: unknown }> {
  const root = fileURLToPath(new URL('../../../workflows', import.meta.url))
  return readdirSync(root).sort().map((id) => ({
    id,
    workflow: JSON.parse(readFileSync(join(root, id, 'workflow.json'), 'utf8')) as Workflow,
    manifest: JSON.parse(readFileSync(join(root, id, 'manifest.json'), 'utf8')) as unknown,
  }))
}

/** A node with a title, for hand-made workflows. */
export function node(class_type: string, inputs: Record<string, unknown>, title?: string): Workflow[string] {
  return { class_type, inputs, ...(title ? { _meta: { title } } : {}) }
}
