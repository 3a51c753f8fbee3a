import type { Database } from '../../db/connect'
import type { JobQueue } from '../../jobs/queue'
import { AppError } from '../../../shared/errors'
import { jobProgressDetailSchema, type JobEventEnvelope, type JobKind, type JobStatus, type JobSummary } from '../../../shared/jobs'

/** A user's view of their jobs: any kind of long work, its status, and its one event stream. */
export class JobService {
  constructor(private readonly db: Database, private readonly queue: JobQueue) {}

  async get(ownerId: string, id: string): Promise<JobSummary> {
    return toJobSummary(await this.findOwned(ownerId, id))
  }

  async cancel(ownerId: string, id: string): Promise<{ status: JobStatus }> {
    await this.findOwned(ownerId, id)
    return { status: await this.queue.cancel(id) }
  }

  /** Runs a failed or cancelled job again; its event stream goes on. */
  async retry(ownerId: string, id: string): Promise<JobSummary> {
    const job = await this.findOwned(ownerId, id)
    // A generation is retried as a generation (it needs a new prompt id on ComfyUI).
    if (job.kind === 'comfy.generate') throw new AppError('BAD_REQUEST', 'Retry this generation with comfy.generations.retry.')
    await this.queue.retry(id)
    return this.get(ownerId, id)
  }

  /** Events after `afterId`, then live ones until the job ends: resumable by event id. */
  async *watch(ownerId: string, id: string, afterId: number, signal?: AbortSignal): AsyncGenerator<JobEventEnvelope> {
    await this.findOwned(ownerId, id)
    yield* this.queue.events.watch(id, afterId, signal)
  }

  private async findOwned(ownerId: string, id: string) {
    const job = /^[0-9a-f-]{36}$/i.test(id) ? await this.db.prisma.job.findFirst({ where: { id, ownerId } }) : null
    if (!job) throw new AppError('NOT_FOUND', `No job with id ${id}.`)
    return job
  }
}

interface JobRow {
  id: string; kind: string; status: string; progress: number; progressDetail: unknown; attempts: number; error: string | null; errorKind: string | null
  result: unknown; assetId: string | null; createdAt: Date; startedAt: Date | null; finishedAt: Date | null
}

export function toJobSummary(row: JobRow): JobSummary {
  const detail = jobProgressDetailSchema.safeParse(row.progressDetail)
  return {
    id: row.id, kind: row.kind as JobKind, status: row.status as JobStatus, progress: row.progress, detail: detail.success ? detail.data : {},
    attempts: row.attempts, error: row.error, errorKind: row.errorKind, result: (row.result ?? null) as Record<string, unknown> | null,
    assetId: row.assetId, createdAt: row.createdAt, startedAt: row.startedAt, finishedAt: row.finishedAt,
  }
}
