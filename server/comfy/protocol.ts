import { z } from 'zod'

/**
 * ComfyUI's HTTP and WebSocket shapes as a client reads them (ComfyUI 0.3.x). Objects are loose:
 * the server and custom nodes add keys, and an extra key must never fail a run.
 */

export const nodeIdSchema = z.string()
export { linkSchema, workflowNodeSchema, workflowSchema, type Workflow } from '../../shared/comfy/workflow'

export const fileRefSchema = z.looseObject({
  filename: z.string(),
  subfolder: z.string().default(''),
  type: z.string().default('output'),
})
export type FileRef = z.infer<typeof fileRefSchema>

/** A node's UI output: `{images: [...]}`, plus other keys (`gifs`, `audio`, `text`, …). */
export const nodeOutputSchema = z.record(z.string(), z.unknown())
export type NodeOutput = z.infer<typeof nodeOutputSchema>

// ── POST /prompt ─────────────────────────────────────────────────────────────

export const validationErrorSchema = z.looseObject({
  type: z.string(),
  message: z.string(),
  details: z.string().default(''),
  extra_info: z.record(z.string(), z.unknown()).nullish(),
})
export type ValidationError = z.infer<typeof validationErrorSchema>

export const nodeErrorsSchema = z.record(nodeIdSchema, z.looseObject({
  errors: z.array(validationErrorSchema),
  dependent_outputs: z.array(z.string()).default([]),
  class_type: z.string(),
}))
export type NodeErrors = z.infer<typeof nodeErrorsSchema>

export const promptAcceptedSchema = z.looseObject({
  prompt_id: z.string(),
  number: z.number(),
  node_errors: nodeErrorsSchema.default({}),
})
export type PromptAccepted = z.infer<typeof promptAcceptedSchema>

export const promptRejectedSchema = z.looseObject({
  error: validationErrorSchema,
  node_errors: nodeErrorsSchema.default({}),
})
export type PromptRejected = z.infer<typeof promptRejectedSchema>

// ── Queue and history ────────────────────────────────────────────────────────

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]` */
export const queueItemSchema = z.tuple([z.number(), z.string(), z.unknown(), z.unknown(), z.array(z.string())]).rest(z.unknown())
export const queueSchema = z.looseObject({
  queue_running: z.array(queueItemSchema),
  queue_pending: z.array(queueItemSchema),
})
export type Queue = z.infer<typeof queueSchema>

export const historyEntrySchema = z.looseObject({
  prompt: queueItemSchema,
  outputs: z.record(nodeIdSchema, nodeOutputSchema.nullable()).default({}),
  status: z.looseObject({
    status_str: z.string(),
    completed: z.boolean(),
    messages: z.array(z.tuple([z.string(), z.record(z.string(), z.unknown())])).default([]),
  }).optional(),
})
export type HistoryEntry = z.infer<typeof historyEntrySchema>
export const historySchema = z.record(z.string(), historyEntrySchema)

export const queueRemainingSchema = z.looseObject({ exec_info: z.looseObject({ queue_remaining: z.number() }) })

// ── Information routes ───────────────────────────────────────────────────────

export { inputSpecSchema, nodeInfoSchema, objectInfoSchema, type NodeInfo, type ObjectInfo } from '../../shared/comfy/object-info'

export const systemStatsSchema = z.looseObject({
  system: z.looseObject({
    os: z.string().optional(),
    comfyui_version: z.string().optional(),
    python_version: z.string().optional(),
    pytorch_version: z.string().optional(),
    ram_total: z.number().optional(),
    ram_free: z.number().optional(),
  }),
  devices: z.array(z.looseObject({
    name: z.string(),
    type: z.string(),
    index: z.number().nullable().optional(),
    vram_total: z.number(),
    vram_free: z.number(),
  })).default([]),
})
export type SystemStats = z.infer<typeof systemStatsSchema>

export const uploadResultSchema = z.looseObject({ name: z.string(), subfolder: z.string().default(''), type: z.string() })
export type UploadResult = z.infer<typeof uploadResultSchema>

// ── WebSocket messages ───────────────────────────────────────────────────────

const promptScoped = { prompt_id: z.string() }
const timestamped = { timestamp: z.number().optional() }

export const executionErrorSchema = z.looseObject({
  ...promptScoped,
  ...timestamped,
  node_id: z.string(),
  node_type: z.string(),
  executed: z.array(z.string()).default([]),
  exception_message: z.string().default(''),
  exception_type: z.string().default(''),
  traceback: z.array(z.string()).default([]),
})
export type ExecutionErrorData = z.infer<typeof executionErrorSchema>

export const executionInterruptedSchema = z.looseObject({
  ...promptScoped,
  ...timestamped,
  node_id: z.string(),
  node_type: z.string(),
  executed: z.array(z.string()).default([]),
})

/** Every message a run depends on. Unknown `type`s are ignored by the socket, never an error. */
export const comfyMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), data: z.looseObject({
    status: z.looseObject({ exec_info: z.looseObject({ queue_remaining: z.number() }) }),
    sid: z.string().optional(),
  }) }),
  z.object({ type: z.literal('execution_start'), data: z.looseObject({ ...promptScoped, ...timestamped }) }),
  z.object({ type: z.literal('execution_cached'), data: z.looseObject({ ...promptScoped, ...timestamped, nodes: z.array(z.string()) }) }),
  // `node: null` with our prompt_id is the only completion signal; the reconnect replay has no prompt_id.
  z.object({ type: z.literal('executing'), data: z.looseObject({ node: z.string().nullable(), display_node: z.string().optional(), prompt_id: z.string().optional() }) }),
  z.object({ type: z.literal('progress'), data: z.looseObject({ ...promptScoped, node: z.string(), value: z.number(), max: z.number() }) }),
  z.object({ type: z.literal('progress_state'), data: z.looseObject({ ...promptScoped, nodes: z.record(z.string(), z.unknown()) }) }),
  z.object({ type: z.literal('executed'), data: z.looseObject({ ...promptScoped, node: z.string(), display_node: z.string().optional(), output: nodeOutputSchema.nullable() }) }),
  z.object({ type: z.literal('execution_success'), data: z.looseObject({ ...promptScoped, ...timestamped }) }),
  z.object({ type: z.literal('execution_error'), data: executionErrorSchema }),
  z.object({ type: z.literal('execution_interrupted'), data: executionInterruptedSchema }),
  z.object({ type: z.literal('feature_flags'), data: z.record(z.string(), z.unknown()) }),
])
export type ComfyMessage = z.infer<typeof comfyMessageSchema>
export type ComfyMessageType = ComfyMessage['type']

/** Binary frame event types (protocol.py). */
export const BinaryEvent = { PREVIEW_IMAGE: 1, UNENCODED_PREVIEW_IMAGE: 2, TEXT: 3, PREVIEW_IMAGE_WITH_METADATA: 4 } as const

export const previewMetadataSchema = z.looseObject({
  node_id: z.string().optional(),
  prompt_id: z.string().optional(),
  display_node_id: z.string().optional(),
  image_type: z.string().optional(),
})
