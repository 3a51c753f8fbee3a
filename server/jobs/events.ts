import { EventEmitter } from 'node:events'
import type { Database } from '../db/connect'
import { jobEventSchema, TERMINAL_JOB_STATUSES, type JobEvent, type JobEventEnvelope, type JobStatus } from '../../shared/jobs'

/**
 * The append-only progress log of jobs. Events are stored first and then announced in-process;
 * watchers also poll, so events written by another app instance on the same database arrive too.
 */
export class JobEventLog {
  private readonly bus = new EventEmitter()

  constructor(private readonly db: Database, private readonly pollIntervalMs = 1000) {
    this.bus.setMaxListeners(0)
  }

  async append(jobId: string, event: JobEvent): Promise<JobEventEnvelope> {
    const row = await this.db.prisma.jobEvent.create({ data: { jobId, event: event as object } })
    const envelope = { id: row.id, jobId, at: row.createdAt.toISOString(), event }
    this.bus.emit(jobId, envelope)
    return envelope
  }

  /** Events after `afterId`, then live ones, until the job ends or `signal` aborts. */
  async *watch(jobId: string, afterId: number, signal?: AbortSignal): AsyncGenerator<JobEventEnvelope> {
    let cursor = afterId
    while (!signal?.aborted) {
      const rows = await this.db.prisma.jobEvent.findMany({ where: { jobId, id: { gt: cursor } }, orderBy: { id: 'asc' }, take: 200 })
      for (const row of rows) {
        cursor = row.id
        yield { id: row.id, jobId, at: row.createdAt.toISOString(), event: jobEventSchema.parse(row.event) }
      }
      if (rows.length === 200) continue
      const job = await this.db.prisma.job.findUnique({ where: { id: jobId }, select: { status: true } })
      if (!job) return
      if (TERMINAL_JOB_STATUSES.includes(job.status as JobStatus)) {
        // The terminal status event is written before the row changes, so nothing is missed.
        const tail = await this.db.prisma.jobEvent.count({ where: { jobId, id: { gt: cursor } } })
        if (tail === 0) return
        continue
      }
      await this.nextAnnouncement(jobId, signal)
    }
  }

  private nextAnnouncement(jobId: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.bus.off(jobId, done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, this.pollIntervalMs)
      this.bus.on(jobId, done)
      signal?.addEventListener('abort', done)
    })
  }
}
