import { z } from 'zod'

/**
 * ComfyUI's `/object_info`: every node type with its inputs (types, limits, combo options) and
 * outputs. Loose, since custom nodes add keys.
 */

/** `[TYPE | options[], {min, max, default, options, …}?]` */
export const inputSpecSchema = z.tuple([z.union([z.string(), z.array(z.unknown())])]).rest(z.unknown())
export type InputSpec = [unknown, ...unknown[]]

export const nodeInfoSchema = z.looseObject({
  input: z.looseObject({
    required: z.record(z.string(), inputSpecSchema).optional(),
    optional: z.record(z.string(), inputSpecSchema).optional(),
    hidden: z.record(z.string(), z.unknown()).optional(),
  }),
  output: z.array(z.union([z.string(), z.array(z.unknown())])).default([]),
  output_name: z.array(z.unknown()).optional(),
  output_node: z.boolean().default(false),
  name: z.string().optional(),
  display_name: z.string().optional(),
  category: z.string().optional(),
})
export type NodeInfo = z.infer<typeof nodeInfoSchema>
export const objectInfoSchema = z.record(z.string(), nodeInfoSchema)
export type ObjectInfo = z.infer<typeof objectInfoSchema>

/** The declared spec of `input` (required or optional), or undefined when the node has no such input. */
export function inputSpecOf(info: NodeInfo, input: string): InputSpec | undefined {
  return (info.input.required?.[input] ?? info.input.optional?.[input]) as InputSpec | undefined
}

export function isHiddenInput(info: NodeInfo, input: string): boolean {
  return info.input.hidden !== undefined && input in info.input.hidden
}

/** Options of a combo input (v1 `[[...options]]` or v3 `["COMBO", {options}]`), else undefined. */
export function comboOptions(spec: InputSpec): string[] | undefined {
  const [type, options] = spec
  if (Array.isArray(type)) return type.map(String)
  if (type === 'COMBO' && options && typeof options === 'object' && Array.isArray((options as { options?: unknown }).options)) {
    return ((options as { options: unknown[] }).options).map(String)
  }
  return undefined
}

export function inputTypeOf(spec: InputSpec): string {
  return Array.isArray(spec[0]) ? 'COMBO' : String(spec[0])
}

export function inputOptionsOf(spec: InputSpec): Record<string, unknown> {
  const options = spec[1]
  return options && typeof options === 'object' && !Array.isArray(options) ? (options as Record<string, unknown>) : {}
}

export function outputTypesOf(info: NodeInfo): string[] {
  return info.output.map((type) => (Array.isArray(type) ? 'COMBO' : type))
}

/** Ids of the output nodes of a workflow, by the server's `output_node` flags. */
export function outputNodeIds(workflow: Record<string, { class_type: string }>, objectInfo: ObjectInfo): string[] {
  return Object.entries(workflow).filter(([, node]) => objectInfo[node.class_type]?.output_node === true).map(([id]) => id)
}
