import { randomUUID } from 'node:crypto'
import type { Database } from '../db/connect'
import { currentProcess, provablyGone, type ProcessIdentity } from './process-identity'

export interface LivenessOptions {
  /** How often this instance writes its heartbeat. Default 5 s. */
  heartbeatIntervalMs?: number
  /** Another instance whose heartbeat is older than this (database clock) is dead. Default 30 s. */
  staleAfterMs?: number
  /**
   * This instance lets go of its running jobs once it has not recorded a heartbeat for this long
   * (database outage), well before anyone may consider it dead. Default: half of staleAfterMs.
   */
  letGoAfterMs?: number
  /**
   * The database belongs to this process alone (embedded PGlite), so every other instance on
   * record is dead: its jobs are taken over at start instead of after the stale threshold.
   */
  exclusiveDatabase?: boolean
}

export const LIVENESS_DEFAULTS = { heartbeatIntervalMs: 5000, staleAfterMs: 30_000 } as const

/**
 * The heartbeat of one running Lattice process (an instance) in the Instance table. The
 * guarantee that no job runs twice rests on two rules: an instance whose heartbeat could not be
 * recorded for `letGoAfterMs` stops its jobs and takes no new ones until a heartbeat succeeds
 * again; and others consider it dead only once its last recorded heartbeat is `staleAfterMs` old,
 * which is later, since a heartbeat is counted from before it was sent.
 */
export class Liveness {
  readonly id = randomUUID()
  readonly heartbeatIntervalMs: number
  readonly staleAfterMs: number
  readonly letGoAfterMs: number
  private identity: ProcessIdentity | null = null
  /** performance.now() when the last heartbeat that was recorded had been sent. */
  private recordedAt = Number.NEGATIVE_INFINITY
  private beating = false
  private failing = false
  private stopped = false
  private beatTimer: NodeJS.Timeout | null = null
  private letGoTimer: NodeJS.Timeout | null = null

  constructor(private readonly db: Database, private readonly options: LivenessOptions, private readonly onLetGo: (reason: string) => void) {
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? LIVENESS_DEFAULTS.heartbeatIntervalMs
    this.staleAfterMs = options.staleAfterMs ?? LIVENESS_DEFAULTS.staleAfterMs
    this.letGoAfterMs = options.letGoAfterMs ?? Math.round(this.staleAfterMs / 2)
    if (!(this.heartbeatIntervalMs > 0 && this.heartbeatIntervalMs < this.letGoAfterMs && this.letGoAfterMs < this.staleAfterMs)) {
      throw new Error(`Job liveness needs 0 < heartbeat interval < let-go time < stale threshold (got ${this.heartbeatIntervalMs} ms, ${this.letGoAfterMs} ms, ${this.staleAfterMs} ms).`)
    }
  }

  /** Registers this instance; throws when the database cannot record it. */
  async start(): Promise<void> {
    this.identity = await currentProcess()
    await this.record()
    this.beatTimer = setInterval(() => void this.beat(), this.heartbeatIntervalMs)
    this.beatTimer.unref()
  }

  /** Whether this instance may run jobs: its last heartbeat was recorded less than `letGoAfterMs` ago. */
  alive(): boolean {
    return !this.stopped && performance.now() - this.recordedAt < this.letGoAfterMs
  }

  /** Instances known dead without waiting for the stale threshold. */
  async provenDead(): Promise<string[]> {
    const { rows } = await this.db.sql.query<{ id: string; pid: number; machine: string | null; processStart: string | null }>(
      'SELECT id, pid, machine, "processStart" FROM "Instance" WHERE id <> $1', [this.id])
    if (this.options.exclusiveDatabase) return rows.map((r) => r.id)
    const dead: string[] = []
    for (const row of rows) if (await provablyGone(row)) dead.push(row.id)
    return dead
  }

  /** Removes the rows of dead instances that no longer hold a running job. */
  async prune(provenDead: string[]): Promise<void> {
    await this.db.sql.query(`DELETE FROM "Instance" i
      WHERE i.id <> $1 AND (i."heartbeatAt" < now() - $2::int * interval '1 millisecond' OR i.id = ANY($3::text[]))
        AND NOT EXISTS (SELECT 1 FROM "Job" j WHERE j."instanceId" = i.id AND j.status = 'running')`, [this.id, this.staleAfterMs, provenDead])
  }

  /** Clean shutdown: the row goes, so others take over anything left at once. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.beatTimer) clearInterval(this.beatTimer)
    if (this.letGoTimer) clearTimeout(this.letGoTimer)
    await this.db.sql.query('DELETE FROM "Instance" WHERE id = $1', [this.id]).catch((e: Error) => console.error('[jobs] could not remove this instance\'s record:', e.message))
  }

  private async beat(): Promise<void> {
    // A heartbeat still waiting on the database is not doubled; the let-go timer covers it.
    if (this.beating || this.stopped) return
    this.beating = true
    try {
      await this.record()
      if (this.failing) console.info('[jobs] the heartbeat is recorded again; this instance takes jobs again.')
      this.failing = false
    } catch (error) {
      if (!this.failing) console.error(`[jobs] could not record this instance's heartbeat: ${(error as Error).message}`)
      this.failing = true
    } finally {
      this.beating = false
    }
  }

  private async record(): Promise<void> {
    const me = this.identity!
    const sentAt = performance.now()
    const { rows } = await this.db.sql.query<{ inserted: boolean }>(`INSERT INTO "Instance" (id, host, pid, machine, "processStart") VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (id) DO UPDATE SET "heartbeatAt" = now() RETURNING (xmax = 0) AS inserted`, [this.id, me.host, me.pid, me.machine, me.processStart])
    if (this.stopped) return
    const registeredBefore = this.recordedAt !== Number.NEGATIVE_INFINITY
    // Our row was removed: another instance found us silent and has taken over our jobs.
    if (registeredBefore && rows[0]?.inserted) this.onLetGo('another instance found this one silent and took over its jobs')
    this.recordedAt = Math.max(this.recordedAt, sentAt)
    this.armLetGo()
  }

  private armLetGo(): void {
    if (this.letGoTimer) clearTimeout(this.letGoTimer)
    this.letGoTimer = setTimeout(() => {
      if (this.stopped) return
      if (this.alive()) this.armLetGo()
      else this.onLetGo(`no heartbeat could be recorded for ${this.letGoAfterMs / 1000} s`)
    }, Math.max(0, this.recordedAt + this.letGoAfterMs - performance.now()))
    this.letGoTimer.unref()
  }
}
