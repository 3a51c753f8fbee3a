import { setMaxListeners } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import PgBoss from 'pg-boss'
import type { Database } from '../db/connect'
import { isAppError, AppError } from '../../shared/errors'
import { TERMINAL_JOB_STATUSES, type JobKind, type JobStatus } from '../../shared/jobs'
import { JobEventLog } from './events'
import { Liveness, type LivenessOptions } from './liveness'
import { BOSS_SCHEMA, settleRun, type RunOutcome } from './runs'
import { JobCancelled, JobReleased, type JobContext, type JobDefinition } from './types'

export interface JobQueueOptions {
  /** false: this process only enqueues (e.g. a script); true: it also runs jobs. */
  worker?: boolean
  pollingIntervalSeconds?: number
  /** How often pg-boss looks for expired leases. */
  superviseIntervalSeconds?: number
  /** How often job rows are reconciled with pg-boss's state. */
  reconcileIntervalMs?: number
  /** Heartbeats of this instance, and when another counts as dead (see Liveness). */
  liveness?: LivenessOptions
  /** How long a stopping queue waits for its runs to hand their jobs back themselves. */
  stopGraceMs?: number
}

interface BossPayload { jobId: string }
type BossJob = PgBoss.JobWithMetadata<BossPayload>

const STOPPED = 'The server running this job stopped; it will be resumed.'
const HOLDER_GONE = 'The process running this job stopped responding; it will be resumed.'

/**
 * Durable background jobs on the app's own database. pg-boss stores them (retries with backoff,
 * leases, at-most-one active holder); the Job row and its event log are what users see. Each
 * worker instance heartbeats (Liveness); the jobs of an instance that went silent are handed back
 * within seconds rather than when their lease expires.
 */
export class JobQueue {
  readonly events: JobEventLog
  private boss: PgBoss | null = null
  private liveness: Liveness | null = null
  private readonly running = new Map<string, AbortController>()
  private readonly timers: NodeJS.Timeout[] = []
  private readonly loops: Promise<void>[] = []
  private readonly definitions: Map<JobKind, JobDefinition>
  private readonly stopped = new AbortController()
  private sweeping: Promise<number> | null = null
  /** Idle worker slots per kind, woken when this process enqueues a job of that kind. */
  private readonly sleepers = new Map<JobKind, Set<() => void>>()

  constructor(private readonly db: Database, definitions: JobDefinition[], private readonly options: JobQueueOptions = {}) {
    this.definitions = new Map(definitions.map((d) => [d.kind, d]))
    this.events = new JobEventLog(db)
    // Every idle worker slot waits on it.
    setMaxListeners(0, this.stopped.signal)
  }

  /** This instance's id (the Job rows' `instanceId`); null in a process that runs no jobs. */
  get instanceId(): string | null {
    return this.liveness?.id ?? null
  }

  async start(): Promise<void> {
    const boss = new PgBoss({
      db: this.db.bossDb as PgBoss.Db,
      schema: BOSS_SCHEMA,
      superviseIntervalSeconds: this.options.superviseIntervalSeconds ?? 10,
      schedule: false,
    })
    boss.on('error', (error) => console.error('[jobs]', error.message))
    await boss.start()
    this.boss = boss
    for (const definition of this.definitions.values()) {
      await boss.createQueue(definition.kind, {
        retryLimit: definition.retryLimit,
        retryDelay: definition.retryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: definition.expireInSeconds,
      })
    }
    if (this.options.worker === false) return
    const liveness = new Liveness(this.db, this.options.liveness ?? {}, (reason) => this.letGo(reason))
    await liveness.start()
    this.liveness = liveness
    // Jobs left running by instances that are gone (this process's own predecessor too) go back first.
    await this.sweep().catch((e: Error) => console.error('[jobs] sweep:', e.message))
    for (const definition of this.definitions.values()) {
      for (let i = 0; i < definition.concurrency; i++) this.loops.push(this.work(definition))
    }
    this.every(this.options.reconcileIntervalMs ?? 15_000, () => this.reconcile(), 'reconcile')
    this.every(liveness.heartbeatIntervalMs, () => this.sweep(), 'sweep')
  }

  async stop(): Promise<void> {
    if (this.stopped.signal.aborted) return
    this.stopped.abort()
    for (const timer of this.timers) clearInterval(timer)
    for (const controller of this.running.values()) controller.abort(new JobReleased(STOPPED))
    // Runs hand their jobs back themselves; any still going after the grace period are handed back here.
    await Promise.race([Promise.all(this.loops), sleep(this.options.stopGraceMs ?? 5000, undefined, { ref: false })])
    if (this.liveness) {
      for (const jobId of this.running.keys()) {
        const row = await this.db.prisma.job.findUnique({ where: { id: jobId }, select: { kind: true } }).catch(() => null)
        if (row) await this.handBack({ id: jobId, kind: row.kind, instanceId: this.liveness.id }, [this.liveness.id], STOPPED).catch(() => {})
      }
    }
    await this.boss?.stop({ graceful: false, close: false })
    await this.liveness?.stop()
    this.boss = null
  }

  /** `expireInSeconds` overrides the kind's lease for this job (a long video render). */
  async enqueue(kind: JobKind, args: { ownerId: string; input: Record<string, unknown>; assetId?: string; expireInSeconds?: number }) {
    const definition = this.definitions.get(kind)
    if (!definition || !this.boss) throw new AppError('SERVICE_UNAVAILABLE', 'The job queue is not running; restart the server.')
    const job = await this.db.prisma.job.create({ data: { kind, ownerId: args.ownerId, input: args.input as object, assetId: args.assetId ?? null } })
    await this.events.append(job.id, { type: 'status', status: 'queued', attempt: 0 })
    // Our job id is pg-boss's id too, so the two can be reconciled after any crash.
    await this.boss.send(kind, { jobId: job.id } satisfies BossPayload, { id: job.id, ...(args.expireInSeconds ? { expireInSeconds: args.expireInSeconds } : {}) })
    // A slot of this process starts it now rather than at its next poll; other instances poll.
    this.sleepers.get(kind)?.values().next().value?.()
    return job
  }

  /** Cancels a job in any state; a job running on another instance stops at its next progress report. */
  async cancel(jobId: string): Promise<JobStatus> {
    const job = await this.db.prisma.job.findUnique({ where: { id: jobId } })
    if (!job) throw new AppError('NOT_FOUND', `Job ${jobId} does not exist.`)
    if (TERMINAL_JOB_STATUSES.includes(job.status as JobStatus)) return job.status as JobStatus
    await this.finish(jobId, 'cancelled', { error: 'Cancelled by the user.' })
    await this.boss?.cancel(job.kind, jobId).catch(() => {})
    this.running.get(jobId)?.abort(new JobCancelled())
    return 'cancelled'
  }

  /** Whether a job is still running in this process. */
  isRunningHere(jobId: string): boolean {
    return this.running.has(jobId)
  }

  /** One worker slot: fetches a job whenever this instance is alive and idle. */
  private async work(definition: JobDefinition): Promise<void> {
    const idleMs = (this.options.pollingIntervalSeconds ?? 1) * 1000
    while (!this.stopped.signal.aborted) {
      let job: BossJob | undefined
      if (this.boss && this.liveness?.alive()) {
        try {
          ;[job] = await this.boss.fetch<BossPayload>(definition.kind, { batchSize: 1, includeMetadata: true })
        } catch (error) {
          console.error(`[jobs] fetching ${definition.kind}:`, (error as Error).message)
        }
      }
      if (job) await this.execute(definition, job)
      else await this.idle(definition.kind, idleMs)
    }
  }

  /** Waits `ms`, or less when this process enqueues a job of `kind` or the queue stops. */
  private idle(kind: JobKind, ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped.signal.aborted) return resolve()
      let sleepers = this.sleepers.get(kind)
      if (!sleepers) this.sleepers.set(kind, (sleepers = new Set()))
      const wake = () => {
        clearTimeout(timer)
        sleepers.delete(wake)
        this.stopped.signal.removeEventListener('abort', wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.stopped.signal.addEventListener('abort', wake, { once: true })
      sleepers.add(wake)
    })
  }

  private async execute(definition: JobDefinition, job: BossJob): Promise<void> {
    const boss = this.boss!
    const controller = new AbortController()
    this.running.set(job.data.jobId, controller)
    // A run that outlives its lease is stopped: pg-boss hands the job to another worker then.
    const lease = setTimeout(() => controller.abort(new JobReleased('The job ran longer than its lease; another run takes it over.')), job.expireInSeconds * 1000)
    lease.unref()
    try {
      const outcome = await this.run(definition, job, controller)
      clearTimeout(lease)
      await this.db.transaction((sql) => settleRun(boss, sql, definition.kind, job.id, job.retryCount, outcome))
        .catch((e: Error) => console.error(`[jobs] settling ${definition.kind} ${job.id}:`, e.message))
    } finally {
      clearTimeout(lease)
      // Only now: until the run is settled, the sweep must see it as running here.
      this.running.delete(job.data.jobId)
    }
  }

  /** Runs the job once and says how pg-boss should settle it. */
  private async run(definition: JobDefinition, job: BossJob, controller: AbortController): Promise<RunOutcome> {
    const { jobId } = job.data
    const instanceId = this.liveness!.id
    const row = await this.db.prisma.job.findUnique({ where: { id: jobId } })
    if (!row || TERMINAL_JOB_STATUSES.includes(row.status as JobStatus)) return { complete: {} }
    // Fetched just as this instance went silent: it must not start anything now.
    if (!this.liveness!.alive()) return { fail: 'This server lost contact with the database; the job goes back to the queue.' }
    const attempt = job.retryCount + 1
    try {
      await this.events.append(jobId, { type: 'status', status: 'running', attempt })
      const { count } = await this.db.prisma.job.updateMany({
        where: { id: jobId, status: { notIn: [...TERMINAL_JOB_STATUSES] } },
        data: { status: 'running', attempts: attempt, instanceId, startedAt: row.startedAt ?? new Date(), error: null },
      })
      if (count === 0) return { complete: {} }
      const result = await definition.run(this.context(row, attempt, controller.signal))
      // A run that was taken over meanwhile records nothing; settling it is a no-op too.
      if (!(await this.holds(jobId, instanceId))) return { complete: {} }
      await this.events.append(jobId, { type: 'progress', progress: 1 })
      await this.events.append(jobId, { type: 'result', result })
      await this.finish(jobId, 'succeeded', { result }, instanceId)
      return { complete: {} }
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined
      const released = reason instanceof JobReleased
      if (!released && (error instanceof JobCancelled || controller.signal.aborted)) return { complete: {} }
      const message = released ? reason.message : (error as Error).message
      if (!(await this.holds(jobId, instanceId).catch(() => false))) return { fail: message }
      const retryable = (released || isRetryable(error)) && job.retryCount < job.retryLimit
      await this.events.append(jobId, { type: 'error', message, willRetry: retryable })
      if (!retryable) {
        await this.finish(jobId, 'failed', { error: message }, instanceId)
        return { complete: {} } // pg-boss must not retry what cannot succeed.
      }
      const { count } = await this.db.prisma.job.updateMany({ where: { id: jobId, status: 'running', instanceId }, data: { status: 'retrying', error: message } })
      if (count > 0) await this.events.append(jobId, { type: 'status', status: 'retrying', attempt })
      return { fail: message }
    }
  }

  /** Whether the Job row still records this instance as running the job. */
  private async holds(jobId: string, instanceId: string): Promise<boolean> {
    const row = await this.db.prisma.job.findUnique({ where: { id: jobId }, select: { status: true, instanceId: true } })
    return row?.status === 'running' && row.instanceId === instanceId
  }

  private context(row: { id: string; ownerId: string; input: unknown }, attempt: number, signal: AbortSignal): JobContext<any> {
    const ensureNotCancelled = async () => {
      if (signal.aborted) throw new JobCancelled()
      const current = await this.db.prisma.job.findUnique({ where: { id: row.id }, select: { status: true } })
      if (!current || current.status === 'cancelled') throw new JobCancelled()
    }
    return {
      jobId: row.id,
      ownerId: row.ownerId,
      input: row.input,
      attempt,
      signal,
      progress: async (fraction, stage) => {
        await ensureNotCancelled()
        const progress = Math.min(1, Math.max(0, fraction))
        await this.events.append(row.id, { type: 'progress', progress, stage })
        await this.db.prisma.job.update({ where: { id: row.id }, data: { progress } })
      },
      log: async (message, level = 'info') => { await this.events.append(row.id, { type: 'log', level, message }) },
    }
  }

  /**
   * Writes the terminal event before the row, so a watcher that sees the row ended has every
   * event. With `holder`, only while that instance still runs the job.
   */
  private async finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', data: { result?: Record<string, unknown>; error?: string }, holder?: string) {
    const row = await this.db.prisma.job.findUnique({ where: { id: jobId }, select: { attempts: true, kind: true, input: true } })
    await this.events.append(jobId, { type: 'status', status, attempt: row?.attempts ?? 0 })
    if (row && status !== 'succeeded') {
      await this.definitions.get(row.kind as JobKind)?.onSettledUnsuccessfully?.(row.input, status, data.error ?? status)
        .catch((e: Error) => console.error(`[jobs] ${row.kind} cleanup after ${status}:`, e.message))
    }
    await this.db.prisma.job.updateMany({
      where: { id: jobId, status: { notIn: [...TERMINAL_JOB_STATUSES] }, ...(holder ? { instanceId: holder } : {}) },
      data: { status, finishedAt: new Date(), result: (data.result as object) ?? undefined, error: data.error ?? null, ...(status === 'succeeded' ? { progress: 1 } : {}) },
    })
  }

  /** This instance lost its heartbeat: its runs stop without side effects, and others may take over. */
  private letGo(reason: string): void {
    if (this.running.size > 0) console.error(`[jobs] ${reason}; letting go of ${this.running.size} running job(s).`)
    for (const controller of this.running.values()) {
      if (!controller.signal.aborted) controller.abort(new JobReleased(`This server lost contact with the database (${reason}); the job goes back to the queue.`))
    }
  }

  /**
   * Hands back jobs whose instance is dead (silent past the stale threshold, proven gone, or no
   * longer on record), and jobs recorded as this instance's that no longer run here, so another
   * run resumes them within seconds instead of when their lease expires. Each counts as a retry.
   */
  async sweep(): Promise<number> {
    const liveness = this.liveness
    if (!this.boss || !liveness) return 0
    // One sweep at a time in this process; other instances are kept out by the row locks.
    this.sweeping ??= (async () => {
      const dead = [...await liveness.provenDead(), liveness.id]
      const { rows } = await this.db.sql.query<{ id: string; kind: string; instanceId: string }>(`SELECT j.id, j.kind, j."instanceId" FROM "Job" j
        LEFT JOIN "Instance" i ON i.id = j."instanceId"
        WHERE j.status = 'running' AND j."instanceId" IS NOT NULL
          AND (i.id IS NULL OR i."heartbeatAt" < now() - $1::int * interval '1 millisecond' OR j."instanceId" = ANY($2::text[]))
        LIMIT 500`, [liveness.staleAfterMs, dead])
      let handed = 0
      for (const row of rows) {
        if (row.instanceId === liveness.id && this.running.has(row.id)) continue
        if (await this.handBack(row, dead, HOLDER_GONE)) handed++
      }
      await liveness.prune(dead.slice(0, -1))
      return handed
    })().finally(() => { this.sweeping = null })
    return this.sweeping
  }

  /**
   * Fails the run of a dead holder in pg-boss (so the job is retried, counted as a retry), in one
   * transaction with the Job row, and only while the row still names that holder as dead and
   * pg-boss still holds that very run: a holder that came back, or a job another worker has
   * already fetched again, is left alone.
   */
  private async handBack(job: { id: string; kind: string; instanceId: string }, dead: string[], message: string): Promise<boolean> {
    const boss = this.boss!
    // Also loads pg-boss's queue cache, which it cannot do inside a PGlite transaction.
    if ((await boss.getJobById(job.kind, job.id))?.state !== 'active') return false
    const state = await this.db.transaction(async (sql) => {
      const { rows } = await sql.query<{ attempts: number }>(`SELECT j.attempts FROM "Job" j LEFT JOIN "Instance" i ON i.id = j."instanceId"
        WHERE j.id = $1 AND j.status = 'running' AND j."instanceId" = $2
          AND (i.id IS NULL OR i."heartbeatAt" < now() - $3::int * interval '1 millisecond' OR j."instanceId" = ANY($4::text[]))
        FOR UPDATE OF j`, [job.id, job.instanceId, this.liveness!.staleAfterMs, dead])
      const held = rows[0]
      if (!held) return null
      const after = await settleRun(boss, sql, job.kind, job.id, held.attempts - 1, { fail: message })
      if (after) await sql.query(`UPDATE "Job" SET status = 'retrying', error = $2 WHERE id = $1`, [job.id, message])
      return after
    })
    if (!state) return false
    const willRetry = state === 'retry'
    const row = await this.db.prisma.job.findUnique({ where: { id: job.id }, select: { attempts: true } })
    await this.events.append(job.id, { type: 'error', message, willRetry })
    if (willRetry) await this.events.append(job.id, { type: 'status', status: 'retrying', attempt: row?.attempts ?? 0 })
    else await this.finish(job.id, 'failed', { error: 'The process running this job stopped and no retries remain; retry it.' })
    return true
  }

  /**
   * Brings job rows in line with pg-boss after crashes: a row left "running" whose job pg-boss
   * already retries becomes "retrying", and one with no retries left becomes "failed".
   */
  async reconcile(): Promise<number> {
    if (!this.boss) return 0
    const stale = await this.db.prisma.job.findMany({
      where: { status: { in: ['queued', 'running', 'retrying'] }, createdAt: { lt: new Date(Date.now() - 5000) } },
      select: { id: true, kind: true, status: true },
      take: 500,
    })
    let changed = 0
    for (const row of stale) {
      if (this.running.has(row.id)) continue
      const bossJob = await this.boss.getJobById(row.kind, row.id)
      const state = bossJob?.state
      if (state === 'active' || state === 'created') continue
      if (state === 'retry') {
        if (row.status === 'running') {
          await this.events.append(row.id, { type: 'error', message: 'The process running this job stopped; it will be retried.', willRetry: true })
          await this.db.prisma.job.update({ where: { id: row.id }, data: { status: 'retrying' } })
          changed++
        }
        continue
      }
      const error = state === 'completed'
        ? 'The job finished without recording its result; retry it.'
        : 'The process running this job stopped and no retries remain; retry it.'
      if (state === 'cancelled') await this.finish(row.id, 'cancelled', { error: 'Cancelled.' })
      else await this.finish(row.id, 'failed', { error })
      changed++
    }
    return changed
  }

  private every(ms: number, task: () => Promise<unknown>, name: string): void {
    const timer = setInterval(() => void task().catch((e: Error) => console.error(`[jobs] ${name}:`, e.message)), ms)
    timer.unref()
    this.timers.push(timer)
  }
}

/**
 * Bad input (an AppError) is never retried, unless it says it is transient (a server that was
 * down or answered 5xx); any other error is retried.
 */
function isRetryable(error: unknown): boolean {
  if ((error as { transient?: unknown } | null)?.transient === true) return true
  if ((error as { transient?: unknown } | null)?.transient === false) return false
  return !isAppError(error)
}
