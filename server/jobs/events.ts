import type { Database } from '../db/connect'
import { isTerminalJobStatus, jobEventSchema, type JobEventEnvelope } from '../../shared/jobs'
import type { JobAnnouncer } from './announcer'

const PAGE = 200

interface EventRow { status: string; id: number | null; createdAt: Date | null; event: unknown }

/**
 * The append-only event log of every job, read for `jobs.watch`. Writes go through
 * JobTransitions; this reads them back in order and follows new ones as they are announced.
 */
export class JobEventLog {
  constructor(private readonly db: Database, private readonly announcer: JobAnnouncer, private readonly pollIntervalMs = 1000) {}

  /**
   * Events after `afterId`, then live ones, until the job ends or `signal` aborts. The watcher
   * listens before it reads, so an event announced while a read is under way is never missed;
   * the poll only covers an announcement lost between instances.
   */
  async *watch(jobId: string, afterId: number, signal?: AbortSignal): AsyncGenerator<JobEventEnvelope> {
    let cursor = afterId
    let announced = false
    let wake: (() => void) | null = null
    const unsubscribe = this.announcer.subscribe(jobId, () => {
      announced = true
      wake?.()
    })
    const onAbort = () => wake?.()
    signal?.addEventListener('abort', onAbort)
    try {
      while (!signal?.aborted) {
        announced = false
        const rows = await this.page(jobId, cursor)
        if (rows.length === 0) return
        const status = rows[0]!.status
        for (const row of rows) {
          if (row.id === null) continue
          cursor = row.id
          const parsed = jobEventSchema.safeParse(row.event)
          if (parsed.success) yield { id: row.id, jobId, at: row.createdAt!.toISOString(), event: parsed.data }
        }
        if (rows.length === PAGE) continue
        // The status was read with the events in one snapshot, and a job's status and its events change together.
        if (isTerminalJobStatus(status)) return
        if (announced) continue
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => { wake = null; resolve() }, this.pollIntervalMs)
          wake = () => { clearTimeout(timer); wake = null; resolve() }
          if (announced || signal?.aborted) wake()
        })
      }
    } finally {
      unsubscribe()
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** The job's status with the next page of its events (no row at all when the job is gone). */
  private async page(jobId: string, after: number): Promise<EventRow[]> {
    const { rows } = await this.db.sql.query<EventRow>(`SELECT j.status, e.id, e."createdAt", e.event FROM "Job" j
      LEFT JOIN LATERAL (SELECT id, "createdAt" AT TIME ZONE 'UTC' AS "createdAt", event FROM "JobEvent" WHERE "jobId" = j.id AND id > $2 ORDER BY id LIMIT ${PAGE}) e ON true
      WHERE j.id = $1 ORDER BY e.id`, [jobId, after])
    return rows
  }
}
