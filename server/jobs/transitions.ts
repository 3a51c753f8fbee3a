import type { Database } from '../db/connect'
import type { SqlExecutor } from '../db/sql'
import { isTerminalJobStatus, TERMINAL_JOB_STATUSES, type JobEvent, type JobKind, type JobProgressDetail, type JobStatus } from '../../shared/jobs'
import type { JobAnnouncer } from './announcer'

/**
 * The statuses a job may move to from each status. Ended jobs move only through `reopen` (a
 * user's retry). A move to the status a job already has is a no-op, except `queued` (remote work
 * queued again records why) and `dispatched` (placed again, perhaps on another server).
 */
export const ALLOWED_FROM: Record<JobStatus, readonly JobStatus[]> = {
  queued: ['queued', 'dispatched', 'running', 'retrying'],
  // Placed again: a run that died after choosing a server but before the server had the work.
  dispatched: ['queued', 'dispatched', 'running', 'retrying'],
  running: ['queued', 'dispatched', 'retrying'],
  retrying: ['running'],
  succeeded: ['queued', 'dispatched', 'running', 'retrying'],
  failed: ['queued', 'dispatched', 'running', 'retrying'],
  cancelled: ['queued', 'dispatched', 'running', 'retrying'],
}

export function canMove(from: JobStatus, to: JobStatus): boolean {
  return ALLOWED_FROM[to].includes(from)
}

export interface TransitionOptions {
  /** Only while this run holds the job: a late report from an earlier run changes nothing. */
  runId?: string
  /** undefined keeps the recorded error; null clears it. */
  error?: string | null
  errorKind?: string | null
  result?: Record<string, unknown>
  /** Carried by the status event (the server a generation was placed on). */
  serverId?: string
  /** Events recorded just before the status event, in the same statement (outputs, result). */
  before?: JobEvent[]
  /** The run lets go of the job (it ended, or waits for its next try). */
  release?: boolean
  /** Inside the caller's transaction; the caller announces after it commits (`announce`). */
  sql?: SqlExecutor
}

/** The job as a transition leaves it. */
export interface TransitionedJob {
  id: string
  kind: JobKind
  ownerId: string
  input: Record<string, unknown>
  attempts: number
  /** pg-boss's id of the job's current delivery. */
  deliveryId: string
}

export interface StartedRun extends TransitionedJob {
  status: JobStatus
  startedAt: Date
}

const TERMINAL = `ARRAY[${TERMINAL_JOB_STATUSES.map((s) => `'${s}'`).join(',')}]`
const RETURNING = 'id, kind, "ownerId", input, attempts, COALESCE("deliveryId", id) AS "deliveryId"'

/**
 * The one place a job's status changes. Each change is one statement: the row and its events
 * are written together, so a watcher that sees the row ended has every event, and the guards
 * (allowed transition, the run that holds the job) are checked by the database in the same step.
 * Every write is announced, in this process and (on PostgreSQL) to the other instances.
 */
export class JobTransitions {
  constructor(private readonly db: Database, private readonly announcer: JobAnnouncer) {}

  /** A new job, queued, with its first event. In a transaction (`sql`), the caller announces it once committed. */
  async create(args: { kind: JobKind; ownerId: string; input: Record<string, unknown>; assetId?: string | null; id?: string }, sql?: SqlExecutor): Promise<{ id: string; createdAt: Date }> {
    const { rows } = await (sql ?? this.db.sql).query<{ id: string; createdAt: Date }>(`WITH job AS (
        INSERT INTO "Job" (id, "ownerId", kind, input, "assetId") VALUES (COALESCE($1, gen_random_uuid()::text), $2, $3, $4::jsonb, $5)
        RETURNING id, "createdAt" AT TIME ZONE 'UTC' AS "createdAt"),
      ev AS (INSERT INTO "JobEvent" ("jobId", event) SELECT id, '{"type":"status","status":"queued","attempt":0}'::jsonb FROM job)
      SELECT id, "createdAt" FROM job`, [args.id ?? null, args.ownerId, args.kind, JSON.stringify(args.input), args.assetId ?? null])
    const row = rows[0]!
    if (!sql) this.announcer.announce(row.id, 'queued')
    return row
  }

  /**
   * A run takes the job: recorded as holding it (fencing every later write), with its attempt.
   * `status` is what starting means for the kind: `running` for local work (recorded for every
   * run); remote work keeps its status until it is placed. Null when the delivery is not the
   * job's current one, or the job ended.
   */
  async startRun(args: { jobId: string; deliveryId: string; runId: string; instanceId: string; attempt: number; status: 'running' | null }): Promise<StartedRun | null> {
    const { rows } = await this.db.sql.query<StartedRun>(`WITH cur AS (
        SELECT id, status FROM "Job" WHERE id = $1 AND COALESCE("deliveryId", id) = $2 AND NOT (status = ANY(${TERMINAL})) FOR UPDATE),
      upd AS (UPDATE "Job" j SET "runId" = $3, "instanceId" = $4, attempts = $5, "startedAt" = COALESCE(j."startedAt", now()),
          status = COALESCE($6, j.status), error = CASE WHEN $6::text IS NULL THEN j.error ELSE NULL END
        FROM cur WHERE j.id = cur.id
        RETURNING j.id, j.kind, j."ownerId", j.input, j.attempts, COALESCE(j."deliveryId", j.id) AS "deliveryId", j.status, j."startedAt" AT TIME ZONE 'UTC' AS "startedAt"),
      ev AS (INSERT INTO "JobEvent" ("jobId", event)
        SELECT id, jsonb_build_object('type', 'status', 'status', status, 'attempt', attempts) FROM upd WHERE $6::text IS NOT NULL)
      SELECT * FROM upd`, [args.jobId, args.deliveryId, args.runId, args.instanceId, args.attempt, args.status])
    const row = rows[0]
    if (!row) return null
    if (args.status) this.announcer.announce(row.id, row.status)
    return row
  }

  /** Moves the job to `to` if allowed from its status (and held by `runId`, when given). Null when not. */
  async move(jobId: string, to: JobStatus, options: TransitionOptions = {}): Promise<TransitionedJob | null> {
    const statusEvent: Record<string, unknown> = { type: 'status', status: to }
    if (options.error) statusEvent.error = options.error
    if (options.serverId) statusEvent.serverId = options.serverId
    const events = [...(options.before ?? []), statusEvent]
    const terminal = isTerminalJobStatus(to)
    const { rows } = await (options.sql ?? this.db.sql).query<TransitionedJob>(`WITH upd AS (
        UPDATE "Job" SET status = $2,
          error = CASE WHEN $4 THEN $5 ELSE error END,
          "errorKind" = CASE WHEN $4 THEN $6 ELSE "errorKind" END,
          result = COALESCE($7::jsonb, result),
          "finishedAt" = CASE WHEN $8 THEN now() ELSE "finishedAt" END,
          progress = CASE WHEN $2 = 'succeeded' THEN 1 ELSE progress END,
          "runId" = CASE WHEN $9 THEN NULL ELSE "runId" END
        WHERE id = $1 AND status = ANY($3::text[]) AND ($10::text IS NULL OR "runId" = $10)
        RETURNING ${RETURNING}),
      ev AS (INSERT INTO "JobEvent" ("jobId", event)
        SELECT upd.id, CASE WHEN e.event->>'type' = 'status' THEN e.event || jsonb_build_object('attempt', upd.attempts) ELSE e.event END
        FROM upd, jsonb_array_elements($11::jsonb) WITH ORDINALITY AS e(event, n) ORDER BY e.n)
      SELECT * FROM upd`, [
      jobId, to, ALLOWED_FROM[to], options.error !== undefined, options.error ?? null, options.errorKind ?? null,
      options.result ? JSON.stringify(options.result) : null, terminal, options.release === true || terminal, options.runId ?? null, JSON.stringify(events),
    ])
    const row = rows[0] ?? null
    if (row && !options.sql) this.announcer.announce(jobId, to)
    return row
  }

  /** Tells watchers about a move made inside a transaction, once it committed. */
  announce(jobId: string, status: JobStatus): void {
    this.announcer.announce(jobId, status)
  }

  /** An ended (failed or cancelled) job queued again as a new delivery; its log goes on. */
  async reopen(jobId: string, deliveryId: string, from: Array<'failed' | 'cancelled'>): Promise<TransitionedJob | null> {
    const { rows } = await this.db.sql.query<TransitionedJob>(`WITH upd AS (
        UPDATE "Job" SET status = 'queued', "deliveryId" = $2, error = NULL, "errorKind" = NULL, result = NULL, progress = 0,
          "progressDetail" = '{}', attempts = 0, "runId" = NULL, "startedAt" = NULL, "finishedAt" = NULL
        WHERE id = $1 AND status = ANY($3::text[])
        RETURNING ${RETURNING}),
      ev AS (INSERT INTO "JobEvent" ("jobId", event) SELECT id, '{"type":"status","status":"queued","attempt":0}'::jsonb FROM upd)
      SELECT * FROM upd`, [jobId, deliveryId, from])
    const row = rows[0] ?? null
    if (row) this.announcer.announce(jobId, 'queued')
    return row
  }

  /**
   * Records progress of the run holding the job: the row and a progress event in one statement.
   * Returns the job's status, so a run learns it was cancelled (or taken from it) right away.
   */
  async progress(jobId: string, runId: string, fraction: number, detail: JobProgressDetail = {}): Promise<{ status: JobStatus | null; written: boolean }> {
    const event = { type: 'progress', progress: fraction, ...detail }
    const { rows } = await this.db.sql.query<{ status: JobStatus | null; written: boolean }>(`WITH upd AS (
        UPDATE "Job" SET progress = $3, "progressDetail" = $4::jsonb
        WHERE id = $1 AND "runId" = $2 AND NOT (status = ANY(${TERMINAL})) RETURNING id),
      ev AS (INSERT INTO "JobEvent" ("jobId", event) SELECT id, $5::jsonb FROM upd RETURNING id)
      SELECT (SELECT status FROM "Job" WHERE id = $1) AS status, EXISTS (SELECT 1 FROM ev) AS written`,
    [jobId, runId, fraction, JSON.stringify(detail), JSON.stringify(event)])
    const row = rows[0] ?? { status: null, written: false }
    if (row.written) this.announcer.announce(jobId)
    return row
  }

  /** Appends events (previews, logs, outputs) for the run holding the job; none when it no longer does. */
  async append(jobId: string, runId: string | null, events: JobEvent[]): Promise<boolean> {
    const { rows } = await this.db.sql.query<{ id: number }>(`INSERT INTO "JobEvent" ("jobId", event)
      SELECT $1, e.event FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(event, n)
      WHERE EXISTS (SELECT 1 FROM "Job" WHERE id = $1 AND ($2::text IS NULL OR "runId" = $2))
      ORDER BY e.n RETURNING id`, [jobId, runId, JSON.stringify(events)])
    if (rows.length > 0) this.announcer.announce(jobId)
    return rows.length > 0
  }

  /** The run lets go of the job without changing its status (it waits for capacity, or was handed back). */
  async letGo(jobId: string, runId: string): Promise<boolean> {
    const { rows } = await this.db.sql.query('UPDATE "Job" SET "runId" = NULL WHERE id = $1 AND "runId" = $2 RETURNING id', [jobId, runId])
    return rows.length > 0
  }
}
