import { z } from 'zod'
import { generationStatusSchema } from '../comfy/manifest'
import { idInput, pageSchema, plainNameSchema, uuidOf } from './common'

export const generationIdSchema = idInput('Generation')

/** Template and uploaded-workflow ids: `builtin:…` names or UUIDs, never free text. */
const templateIdSchema = z.string().min(1).max(100).regex(/^[A-Za-z0-9:._-]+$/, 'Template ids are what comfy.templates.list returns (letters, digits, ":", ".", "_" and "-").')
export const workflowIdSchema = z.object({ id: templateIdSchema })
export const templateGetSchema = z.object({ id: templateIdSchema, serverId: uuidOf('Server').optional() })

const workflowNameSchema = plainNameSchema(100).refine((name) => name.length > 0, 'Give the workflow a name.')
/** An API-format workflow ("Export (API)" in ComfyUI): node id → node. */
const workflowSchema = z.record(z.string(), z.unknown())
/** The parameter mapping; checked as a manifest by the service, which names what is wrong. */
const manifestSchema = z.record(z.string(), z.unknown())

export const workflowInspectSchema = z.object({ workflow: z.unknown(), name: plainNameSchema(100).optional() })
export const workflowUploadSchema = z.object({ name: workflowNameSchema, workflow: workflowSchema, manifest: manifestSchema })
export type WorkflowUploadInput = z.infer<typeof workflowUploadSchema>
export const workflowUpdateSchema = workflowIdSchema.extend({ name: workflowNameSchema.optional(), workflow: workflowSchema.optional(), manifest: manifestSchema })
export type WorkflowChanges = Omit<z.infer<typeof workflowUpdateSchema>, 'id'>

export const generationParamsSchema = z.record(z.string(), z.union([z.string().max(20_000), z.number(), z.boolean()]))
export const generationCreateSchema = z.object({
  templateId: templateIdSchema,
  params: generationParamsSchema.default({}),
  /** Template input name → asset id. */
  inputs: z.record(z.string(), z.uuid('Inputs are asset ids (UUIDs).')).default({}),
  timeoutSeconds: z.number().int().min(1).max(23 * 3600).optional(),
  webhookUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
})
export type GenerationCreateInput = z.input<typeof generationCreateSchema>

export const generationListSchema = pageSchema.extend({
  status: z.array(generationStatusSchema).optional(),
  templateId: z.string().max(100).optional(),
})
export type GenerationListInput = z.infer<typeof generationListSchema>

/** A ComfyUI server's address: http(s), no credentials in it (send those as `authHeader`). */
export const comfyServerUrlSchema = z.string().trim().min(1).max(500).refine((value) => {
  try {
    const parsed = new URL(value)
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && !parsed.username && !parsed.password
  } catch {
    return false
  }
}, 'A ComfyUI server is an http:// or https:// URL without a user name or password in it (send credentials as the auth header).')
/** `undefined` keeps the stored header; `null` clears it. */
const authHeaderSchema = z.string().trim().max(2000).nullish()
const serverNameSchema = plainNameSchema(100).refine((name) => name.length > 0, 'Give the server a name.')
const maxConcurrentSchema = z.number().int().min(1).max(64)

export const comfyServerIdSchema = idInput('Server')
export const comfyServerAddSchema = z.object({ name: serverNameSchema, url: comfyServerUrlSchema, authHeader: authHeaderSchema, enabled: z.boolean().optional(), maxConcurrent: maxConcurrentSchema.optional() })
export type ComfyServerAddInput = z.infer<typeof comfyServerAddSchema>
export const comfyServerUpdateSchema = comfyServerIdSchema.extend({ name: serverNameSchema.optional(), url: comfyServerUrlSchema.optional(), authHeader: authHeaderSchema, enabled: z.boolean().optional(), maxConcurrent: maxConcurrentSchema.optional() })
export type ComfyServerChanges = Omit<z.infer<typeof comfyServerUpdateSchema>, 'id'>
/** A stored server by id, or an address before it is added. */
export const comfyServerTestSchema = z.object({ id: uuidOf('Server').optional(), url: comfyServerUrlSchema.optional(), authHeader: authHeaderSchema })
export type ComfyServerTestInput = z.infer<typeof comfyServerTestSchema>
