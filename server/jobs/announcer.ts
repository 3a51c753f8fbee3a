import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { Database } from '../db/connect'

/** What an announcement says: which job has new events, and its new status if it changed. */
export interface Announcement {
  jobId: string
  status?: string
}

const CHANNEL = 'lattice_jobs'

/**
 * Tells watchers that a job has new events, without them polling. Writers in this process
 * announce directly; on PostgreSQL every announcement is also sent with NOTIFY, so watchers and
 * running jobs on other instances hear it too (each instance LISTENs on one connection). The
 * embedded database belongs to one process, so there the in-process bus is all there is.
 */
export class JobAnnouncer {
  private readonly bus = new EventEmitter()
  private readonly origin = randomUUID()
  private closeListener: (() => Promise<void>) | null = null

  constructor(private readonly db: Database) {
    this.bus.setMaxListeners(0)
  }

  /** Starts hearing other instances (PostgreSQL only). */
  async start(): Promise<void> {
    if (this.db.kind !== 'postgres' || this.closeListener) return
    this.closeListener = await this.db.listen(CHANNEL, (payload) => {
      const [origin, jobId, status] = payload.split(' ')
      if (origin === this.origin || !jobId) return
      this.emit({ jobId, status: status || undefined })
    })
  }

  async stop(): Promise<void> {
    const close = this.closeListener
    this.closeListener = null
    await close?.()
  }

  /** Called after every write of a job's events; `status` when its status changed. */
  announce(jobId: string, status?: string): void {
    this.emit({ jobId, status })
    if (this.db.kind === 'postgres') {
      // Fire and forget: a lost notification only delays other instances until their next poll.
      void this.db.sql.query('SELECT pg_notify($1, $2)', [CHANNEL, `${this.origin} ${jobId} ${status ?? ''}`]).catch(() => {})
    }
  }

  /** Announcements of one job (or of every job: `'*'`), from any instance; returns the unsubscribe function. */
  subscribe(jobId: string, listener: (announcement: Announcement) => void): () => void {
    this.bus.on(jobId, listener)
    return () => this.bus.off(jobId, listener)
  }

  private emit(announcement: Announcement): void {
    this.bus.emit(announcement.jobId, announcement)
    this.bus.emit('*', announcement)
  }
}
