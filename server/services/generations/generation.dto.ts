import { generationProgressSchema, type GenerationProgress, type GenerationStatus } from '../../../shared/comfy/manifest'

/** How inputs are stored: the asset and the node input it goes to (kept with the generation, so a run never needs the template again). */
export type StoredInputs = Record<string, { assetId: string; node: string; input: string }>

export interface GenerationInfo {
  id: string
  templateId: string
  templateName: string
  params: Record<string, unknown>
  inputs: Record<string, string>
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
  jobId: string | null
  queuedAt: Date
  startedAt: Date | null
  finishedAt: Date | null
  durationMs: number | null
}

interface Row {
  id: string; templateId: string; templateName: string; params: unknown; inputs: unknown; status: string; serverId: string | null; promptId: string | null
  progress: unknown; error: string | null; errorKind: string | null; attempts: number; timeoutSeconds: number; outputs: unknown; webhookUrl: string | null
  jobId: string | null; queuedAt: Date; startedAt: Date | null; finishedAt: Date | null
}

export function toGenerationInfo(row: Row): GenerationInfo {
  const progress = generationProgressSchema.safeParse(row.progress)
  return {
    id: row.id,
    templateId: row.templateId,
    templateName: row.templateName,
    params: (row.params ?? {}) as Record<string, unknown>,
    inputs: Object.fromEntries(Object.entries((row.inputs ?? {}) as StoredInputs).map(([name, value]) => [name, value.assetId])),
    status: row.status as GenerationStatus,
    serverId: row.serverId,
    promptId: row.promptId,
    progress: progress.success ? progress.data : { fraction: 0 },
    error: row.error,
    errorKind: row.errorKind,
    attempts: row.attempts,
    timeoutSeconds: row.timeoutSeconds,
    outputs: Array.isArray(row.outputs) ? (row.outputs as string[]) : [],
    webhookUrl: row.webhookUrl,
    jobId: row.jobId,
    queuedAt: row.queuedAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: row.startedAt && row.finishedAt ? row.finishedAt.getTime() - row.startedAt.getTime() : null,
  }
}

/** What clients see of a server: the auth header only as a hint that one is set. */
export function maskSecret(value: string | null): string | null {
  if (!value) return null
  const colon = value.indexOf(':')
  const name = colon > 0 ? value.slice(0, colon).trim() : 'authorization'
  return `${name}: ••••`
}
