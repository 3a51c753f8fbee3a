import { z } from 'zod'

export const jobStatusSchema = z.enum(['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'])
export type JobStatus = z.infer<typeof jobStatusSchema>
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled']

export const jobKindSchema = z.enum(['asset.process', 'comfy.generate', 'comfy.webhook'])
export type JobKind = z.infer<typeof jobKindSchema>

/**
 * Every event a job streams, for the server, the Pinia stores and scripts alike. `progress` is
 * 0..1 over the whole job; `stage` names the step users see ("probing", "thumbnail").
 */
export const jobEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('status'), status: jobStatusSchema, attempt: z.number().int().min(0) }),
  z.object({ type: z.literal('progress'), progress: z.number().min(0).max(1), stage: z.string().optional() }),
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn']), message: z.string() }),
  z.object({ type: z.literal('error'), message: z.string(), willRetry: z.boolean() }),
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
  attempts: z.number(),
  error: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  assetId: z.string().nullable(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
})
export type JobSummary = z.infer<typeof jobSummarySchema>
