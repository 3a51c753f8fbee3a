import { z } from 'zod'
import { LIMITS } from '../limits'

/** A link from another node's output: `[source node id, output index]`. */
export const linkSchema = z.tuple([z.string(), z.number()])

export const workflowNodeSchema = z.looseObject({
  class_type: z.string(),
  inputs: z.record(z.string(), z.unknown()),
  _meta: z.looseObject({ title: z.string().optional() }).optional(),
})
/** An API-format workflow ("Export (API)" in ComfyUI): node id → node. */
export const workflowSchema = z.record(z.string(), workflowNodeSchema)
export type Workflow = z.infer<typeof workflowSchema>
export type WorkflowNode = Workflow[string]

/** Whether an input value is a link rather than a constant (ComfyUI treats any list as one). */
export function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value)
}

export const NOT_API_FORMAT = 'The workflow is not in ComfyUI\'s API format (an object of nodes with "class_type" and "inputs"). In ComfyUI use "Export (API)", not "Save".'
export const UI_FORMAT = 'This is the workflow file ComfyUI writes with "Save" (the editor format, with "nodes" and "links"). Lattice needs the API format: in ComfyUI choose Workflow → Export (API) and upload that file.'

/**
 * Reads an API-format workflow, saying what to do when it is something else: the editor's
 * "Save" format, an empty object or an unrelated JSON file.
 */
export function parseWorkflow(raw: unknown): { workflow: Workflow; error?: undefined } | { workflow?: undefined; error: string } {
  const bytes = new TextEncoder().encode(JSON.stringify(raw) ?? '').length
  if (bytes > LIMITS.maxWorkflowBytes) return { error: `The workflow is ${(bytes / 1024 / 1024).toFixed(1)} MB of JSON; a workflow is at most ${LIMITS.maxWorkflowBytes / 1024 / 1024} MB. Check that the file is the workflow alone (Workflow → Export (API)).` }
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const file = raw as Record<string, unknown>
    if (Array.isArray(file.nodes) && (Array.isArray(file.links) || 'last_node_id' in file || 'version' in file)) return { error: UI_FORMAT }
    if (Object.keys(file).length === 0) return { error: 'The workflow has no nodes. Export a workflow from ComfyUI with "Export (API)".' }
  }
  const parsed = workflowSchema.safeParse(raw)
  return parsed.success ? { workflow: parsed.data } : { error: NOT_API_FORMAT }
}
