import { jobProgressDetailSchema } from '../../../shared/jobs'
import type { GenerationProgress, GenerationStatus } from '../../../shared/comfy/manifest'

/** How inputs are stored: the asset and the node input it goes to (kept with the generation, so a run never needs the template again). */
export type StoredInputs = Record<string, { assetId: string; node: string; input: string }>

export interface GenerationInfo {
  id: string
  templateId: string
  templateName: string
  params: Record<string, unknown>
  inputs: Record<string, string>
  /** Its job's status. */
  status: GenerationStatus
  serverId: string | null
  promptId: string | null
  progress: GenerationProgress
  error: string | null
  errorKind: string | null
  attempts: number
  timeoutSeconds: number
  /** Asset ids of the results. */
  outputs: string[]
  webhookUrl: string | null
  /** The job that runs it, for its whole life (`jobs.watch` streams its events). */
  jobId: string
  queuedAt: Date
  startedAt: Date | null
  finishedAt: Date | null
  durationMs: number | null
}

export interface GenerationRow {
  id: string; templateId: string; templateName: string; params: unknown; inputs: unknown; serverId: string | null; promptId: string | null
  timeoutSeconds: number; webhookUrl: string | null; jobId: string; queuedAt: Date
  job: { status: string; progress: number; progressDetail: unknown; result: unknown; error: string | null; errorKind: string | null; attempts: number; startedAt: Date | null; finishedAt: Date | null }
}

export function toGenerationInfo(row: GenerationRow): GenerationInfo {
  const { job } = row
  const detail = jobProgressDetailSchema.safeParse(job.progressDetail)
  const { node, classType, step, max, ahead } = detail.success ? detail.data : {}
  return {
    id: row.id,
    templateId: row.templateId,
    templateName: row.templateName,
    params: (row.params ?? {}) as Record<string, unknown>,
    inputs: Object.fromEntries(Object.entries((row.inputs ?? {}) as StoredInputs).map(([name, value]) => [name, value.assetId])),
    status: job.status as GenerationStatus,
    serverId: row.serverId,
    promptId: row.promptId,
    progress: { node, classType, step, max, ahead, fraction: job.progress },
    error: job.error,
    errorKind: job.errorKind,
    attempts: job.attempts,
    timeoutSeconds: row.timeoutSeconds,
    outputs: outputsOf(job.result),
    webhookUrl: row.webhookUrl,
    jobId: row.jobId,
    queuedAt: row.queuedAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    durationMs: job.startedAt && job.finishedAt ? job.finishedAt.getTime() - job.startedAt.getTime() : null,
  }
}

/** The assets a generation made: its job's result, once it succeeded. */
function outputsOf(result: unknown): string[] {
  const outputs = (result as { outputs?: unknown } | null)?.outputs
  return Array.isArray(outputs) ? outputs.map(String) : []
}

/** What clients see of a server: the auth header only as a hint that one is set. */
export function maskSecret(value: string | null): string | null {
  if (!value) return null
  const colon = value.indexOf(':')
  const name = colon > 0 ? value.slice(0, colon).trim() : 'authorization'
  return `${name}: ••••`
}
