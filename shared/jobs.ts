import { z } from 'zod'
import { JOB_STATUSES } from './job-statuses'

export { JOB_STATUSES, TERMINAL_JOB_STATUSES, isTerminalJobStatus } from './job-statuses'
export const jobStatusSchema = z.enum(JOB_STATUSES)
export type JobStatus = z.infer<typeof jobStatusSchema>

export const jobKindSchema = z.enum(['asset.process', 'comfy.generate', 'comfy.webhook', 'export.render', 'ai.model.download', 'ai.task'])
export type JobKind = z.infer<typeof jobKindSchema>

/**
 * Where a job is within its work, beside the overall fraction. Every field is optional: a kind
 * reports what it knows (an asset's stage; a generation's node, sampler step and queue position).
 */
export const jobProgressDetailSchema = z.object({
  /** The step users see ("probing", "thumbnail"). */
  stage: z.string().optional(),
  /** The ComfyUI node running now and its class. */
  node: z.string().optional(),
  classType: z.string().optional(),
  /** Units of the current stage done and in all: a node's sampler steps, an export's frames. */
  step: z.number().optional(),
  max: z.number().optional(),
  /** Units per second and the seconds left at that rate (exports: frames). */
  rate: z.number().optional(),
  etaSeconds: z.number().optional(),
  /** Prompts ahead of this one on its server while pending there. */
  ahead: z.number().optional(),
})
export type JobProgressDetail = z.infer<typeof jobProgressDetailSchema>

/**
 * The one union of events every job streams, for the server, the Pinia stores and scripts alike.
 * `progress` is 0..1 over the whole job, with the kind's detail beside it.
 */
export const jobEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: jobStatusSchema, attempt: z.number().int().min(0), error: z.string().optional(), serverId: z.string().optional() }),
  z.object({ type: z.literal('progress'), progress: z.number().min(0).max(1), ...jobProgressDetailSchema.shape }),
  /** A preview image while the work runs (a sampler's latest step), as a small data URL. */
  z.object({ type: z.literal('preview'), node: z.string().optional(), dataUrl: z.string() }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn']), message: z.string() }),
  z.object({ type: z.literal('error'), message: z.string(), willRetry: z.boolean() }),
  /** Assets the job produced, announced before it succeeds. */
  z.object({ type: z.literal('outputs'), assetIds: z.array(z.string()) }),
  z.object({ type: z.literal('result'), result: z.record(z.string(), z.unknown()) }),
])
export type JobEvent = z.infer<typeof jobEventSchema>

/** What `jobs.watch` yields: the event with its sequence id, the resume point after reconnecting. */
export interface JobEventEnvelope {
  id: number
  jobId: string
  at: string
  event: JobEvent
}

export const jobSummarySchema = z.object({
  id: z.string(),
  kind: jobKindSchema,
  status: jobStatusSchema,
  progress: z.number(),
  detail: jobProgressDetailSchema,
  attempts: z.number(),
  error: z.string().nullable(),
  errorKind: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  assetId: z.string().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
})
export type JobSummary = z.infer<typeof jobSummarySchema>
