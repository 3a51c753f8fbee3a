import { randomUUID } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { setTimeout as sleep } from 'node:timers/promises'
import PgBoss from 'pg-boss'
import type { Database } from '../db/connect'
import type { SqlExecutor } from '../db/sql'
import { AppError } from '../../shared/errors'
import type { JobKind, JobStatus } from '../../shared/jobs'
import { JobAnnouncer } from './announcer'
import { errorKindOf, isRetryable } from './errors'
import { JobEventLog } from './events'
import { Liveness, type LivenessOptions } from './liveness'
import { BOSS_SCHEMA, completeRun, deferRun, settleRun, type RunOutcome } from './runs'
import { JobTransitions, type TransitionedJob } from './transitions'
import { JobCancelled, JobDeferred, JobReleased, type JobContext, type JobDefinition } from './types'

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

interface Run { controller: AbortController; runId: string }

const STOPPED = 'The server running this job stopped; it will be resumed.'
const HOLDER_GONE = 'The process running this job stopped responding; it will be resumed.'

/**
 * Durable background jobs on the app's own database. pg-boss stores the deliveries (retries with
 * backoff, leases, at-most-one active holder); the Job row and its event log are what users see,
 * and JobTransitions is the only writer of a job's status. Each worker instance heartbeats
 * (Liveness); the jobs of an instance that went silent are handed back within seconds rather
 * than when their lease expires.
 */
export class JobQueue {
  readonly announcer: JobAnnouncer
  readonly transitions: JobTransitions
  readonly events: JobEventLog
  private boss: PgBoss | null = null
  private liveness: Liveness | null = null
  private readonly running = new Map<string, Run>()
  private readonly timers: NodeJS.Timeout[] = []
  /** Each kind's dispatcher, and every run in progress here. */
  private readonly loops: Promise<void>[] = []
  private readonly inflight = new Set<Promise<void>>()
  /** Runs in progress here, per kind. */
  private readonly active = new Map<JobKind, number>()
  private readonly definitions: Map<JobKind, JobDefinition>
  private readonly stopped = new AbortController()
  private sweeping: Promise<number> | null = null
  private unsubscribe: (() => void) | null = null
  /** Each kind's idle dispatcher, woken when a job of that kind is enqueued here or a run of it ends. */
  private readonly sleepers = new Map<JobKind, () => void>()
  /** Kinds woken while their dispatcher was busy. */
  private readonly woken = new Set<JobKind>()

  constructor(private readonly db: Database, definitions: JobDefinition[] = [], private readonly options: JobQueueOptions = {}) {
    this.definitions = new Map(definitions.map((d) => [d.kind, d]))
    this.announcer = new JobAnnouncer(db)
    this.transitions = new JobTransitions(db, this.announcer)
    this.events = new JobEventLog(db, this.announcer)
    // Every idle worker slot waits on it.
    setMaxListeners(0, this.stopped.signal)
  }

  /** Adds the kinds of work this queue runs; before `start`. */
  register(definitions: JobDefinition[]): void {
    if (this.boss) throw new Error('Register job kinds before the queue starts.')
    for (const definition of definitions) this.definitions.set(definition.kind, definition)
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
      // Loads pg-boss's cache of the queue now: sending inside a PGlite transaction cannot.
      await boss.getJobById(definition.kind, randomUUID())
    }
    await this.announcer.start()
    if (this.options.worker === false) return
    const liveness = new Liveness(this.db, this.options.liveness ?? {}, (reason) => this.letGo(reason))
    await liveness.start()
    this.liveness = liveness
    // A job cancelled on another instance stops here as soon as that is announced.
    this.unsubscribe = this.announcer.subscribe('*', ({ jobId, status }) => {
      if (status === 'cancelled') this.running.get(jobId)?.controller.abort(new JobCancelled())
    })
    // Jobs left running by instances that are gone (this process's own predecessor too) go back first.
    await this.sweep().catch((e: Error) => console.error('[jobs] sweep:', e.message))
    for (const definition of this.definitions.values()) {
      this.loops.push(this.dispatch(definition))
    }
    this.every(this.options.reconcileIntervalMs ?? 15_000, () => this.reconcile(), 'reconcile')
    this.every(liveness.heartbeatIntervalMs, () => Promise.all([this.sweep(), this.stopCancelled()]), 'sweep')
  }

  async stop(): Promise<void> {
    if (this.stopped.signal.aborted) return
    this.stopped.abort()
    this.unsubscribe?.()
    for (const timer of this.timers) clearInterval(timer)
    for (const { controller } of this.running.values()) controller.abort(new JobReleased(STOPPED))
    // Runs hand their jobs back themselves; any still going after the grace period are handed back here.
    await Promise.race([Promise.all([...this.loops, ...this.inflight]), sleep(this.options.stopGraceMs ?? 5000, undefined, { ref: false })])
    if (this.liveness) {
      for (const [jobId, run] of this.running) {
        const row = await this.db.prisma.job.findUnique({ where: { id: jobId }, select: { kind: true, deliveryId: true } }).catch(() => null)
        if (row) await this.handBack({ id: jobId, kind: row.kind, instanceId: this.liveness.id, runId: run.runId, deliveryId: row.deliveryId ?? jobId }, [this.liveness.id], STOPPED).catch(() => {})
      }
    }
    await this.boss?.stop({ graceful: false, close: false })
    await this.liveness?.stop()
    await this.announcer.stop()
    this.boss = null
  }

  /**
   * Queues a job: its row, its first event, what `prepare` writes (e.g. the generation that names
   * it) and its delivery, in one transaction, so no worker can see one without the others.
   * `expireInSeconds` overrides the kind's lease for this job (a long video render).
   */
  async enqueue(kind: JobKind, args: { ownerId: string; input: Record<string, unknown>; assetId?: string; expireInSeconds?: number; prepare?: (jobId: string, sql: SqlExecutor) => Promise<void> }): Promise<{ id: string; createdAt: Date }> {
    const boss = this.requireBoss(kind)
    const job = await this.db.transaction(async (sql) => {
      const created = await this.transitions.create({ kind, ownerId: args.ownerId, input: args.input, assetId: args.assetId }, sql)
      await args.prepare?.(created.id, sql)
      await this.deliver(boss, kind, created.id, created.id, args.expireInSeconds, sql)
      return created
    })
    this.transitions.announce(job.id, 'queued')
    this.wake(kind)
    return job
  }

  /** Runs a failed or cancelled job again (a new delivery); its event log goes on. */
  async retry(jobId: string, options: { expireInSeconds?: number } = {}): Promise<TransitionedJob> {
    const row = await this.db.prisma.job.findUnique({ where: { id: jobId }, select: { kind: true, status: true } })
    if (!row) throw new AppError('NOT_FOUND', `Job ${jobId} does not exist.`)
    const boss = this.requireBoss(row.kind as JobKind)
    if (row.status !== 'failed' && row.status !== 'cancelled') throw new AppError('CONFLICT', `Only failed or cancelled jobs can be retried; this one is ${row.status}.`)
    const deliveryId = randomUUID()
    const reopened = await this.transitions.reopen(jobId, deliveryId, [row.status])
    if (!reopened) throw new AppError('CONFLICT', 'The job changed meanwhile; reload it.')
    await this.deliver(boss, reopened.kind, jobId, deliveryId, options.expireInSeconds)
    // A slot of this process starts it now rather than at its next poll; other instances poll.
    this.wake(reopened.kind)
    return reopened
  }

  /** Cancels a job in any state; a job running on another instance stops as soon as it hears of it. */
  async cancel(jobId: string): Promise<JobStatus> {
    const moved = await this.transitions.move(jobId, 'cancelled', { error: 'Cancelled by the user.', errorKind: 'cancelled' })
    if (!moved) {
      const row = await this.db.prisma.job.findUnique({ where: { id: jobId }, select: { status: true } })
      if (!row) throw new AppError('NOT_FOUND', `Job ${jobId} does not exist.`)
      return row.status as JobStatus
    }
    await this.boss?.cancel(moved.kind, moved.deliveryId).catch(() => {})
    this.running.get(jobId)?.controller.abort(new JobCancelled())
    await this.settled(moved, 'cancelled', 'Cancelled by the user.')
    return 'cancelled'
  }


  private requireBoss(kind: JobKind): PgBoss {
    if (!this.definitions.has(kind) || !this.boss) throw new AppError('SERVICE_UNAVAILABLE', 'The job queue is not running; restart the server.')
    return this.boss
  }

  /** Hands a delivery to pg-boss (its id is ours, so the two can be reconciled after any crash). */
  private async deliver(boss: PgBoss, kind: JobKind, jobId: string, deliveryId: string, expireInSeconds?: number, sql?: SqlExecutor): Promise<void> {
    const db = sql ? { executeSql: (text: string, values: unknown[]) => sql.query(text, values) } : undefined
    await boss.send(kind, { jobId } satisfies BossPayload, { id: deliveryId, ...(expireInSeconds ? { expireInSeconds } : {}), ...(db ? { db } : {}) })
  }

  /** Wakes the kind's dispatcher; one that is busy looks again as soon as it is done, before it sleeps. */
  private wake(kind: JobKind): void {
    const sleeper = this.sleepers.get(kind)
    if (sleeper) sleeper()
    else this.woken.add(kind)
  }

  /**
   * A kind's dispatcher: whenever this instance is alive, it takes as many jobs as the kind has
   * free slots here and could start now (one query for all of them), runs each, and sleeps until
   * a job is enqueued here, a run ends, or the poll interval passes.
   */
  private async dispatch(definition: JobDefinition): Promise<void> {
    const { kind } = definition
    const idleMs = (this.options.pollingIntervalSeconds ?? 1) * 1000
    while (!this.stopped.signal.aborted) {
      const free = definition.concurrency - (this.active.get(kind) ?? 0)
      let jobs: BossJob[] = []
      if (free > 0 && this.boss && this.liveness?.alive()) {
        const batch = Math.min(free, await this.startable(definition))
        if (batch > 0) {
          try {
            jobs = await this.boss.fetch<BossPayload>(kind, { batchSize: batch, includeMetadata: true }) ?? []
          } catch (error) {
            console.error(`[jobs] fetching ${kind}:`, (error as Error).message)
          }
        }
        for (const job of jobs) this.launch(definition, job)
        // A full batch: more may be waiting, and slots may be left.
        if (jobs.length > 0 && jobs.length === batch && jobs.length < free) continue
      }
      await this.idle(kind, idleMs)
    }
  }

  private async startable(definition: JobDefinition): Promise<number> {
    if (!definition.startable) return Number.POSITIVE_INFINITY
    return definition.startable(this.active.get(definition.kind) ?? 0).catch((error: Error) => {
      console.error(`[jobs] checking whether ${definition.kind} can start:`, error.message)
      return Number.POSITIVE_INFINITY
    })
  }

  private launch(definition: JobDefinition, job: BossJob): void {
    const { kind } = definition
    this.active.set(kind, (this.active.get(kind) ?? 0) + 1)
    const run = this.execute(definition, job).finally(() => {
      this.active.set(kind, (this.active.get(kind) ?? 1) - 1)
      this.inflight.delete(run)
      // Its slot (and whatever capacity it held) is free: another job of the kind may start.
      this.wake(kind)
    })
    this.inflight.add(run)
  }

  /** Waits `ms`, or less when woken (see `wake`) or the queue stops. */
  private idle(kind: JobKind, ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped.signal.aborted || this.woken.delete(kind)) return resolve()
      const wake = () => {
        clearTimeout(timer)
        this.sleepers.delete(kind)
        this.stopped.signal.removeEventListener('abort', wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      this.stopped.signal.addEventListener('abort', wake, { once: true })
      this.sleepers.set(kind, wake)
    })
  }

  private async execute(definition: JobDefinition, job: BossJob): Promise<void> {
    const boss = this.boss!
    const run: Run = { controller: new AbortController(), runId: randomUUID() }
    this.running.set(job.data.jobId, run)
    // A run that outlives its lease is stopped: pg-boss hands the job to another worker then.
    const lease = setTimeout(() => run.controller.abort(new JobReleased('The job ran longer than its lease; another run takes it over.')), job.expireInSeconds * 1000)
    lease.unref()
    try {
      const outcome = await this.run(definition, job, run)
      clearTimeout(lease)
      const settle = 'complete' in outcome
        ? completeRun(this.db.sql, definition.kind, job.id, job.retryCount)
        : 'defer' in outcome
          ? deferRun(this.db.sql, definition.kind, job.id, job.retryCount, outcome.defer)
          : this.db.transaction((sql) => settleRun(boss, sql, definition.kind, job.id, job.retryCount, outcome))
      await settle.catch((e: Error) => console.error(`[jobs] settling ${definition.kind} ${job.id}:`, e.message))
    } finally {
      clearTimeout(lease)
      // Only now: until the run is settled, the sweep must see it as running here.
      this.running.delete(job.data.jobId)
    }
  }

  /** Runs the job once and says how pg-boss should settle the delivery. */
  private async run(definition: JobDefinition, job: BossJob, run: Run): Promise<RunOutcome> {
    const { jobId } = job.data
    const { controller, runId } = run
    // Fetched just as this instance went silent: it must not start anything now.
    if (!this.liveness!.alive()) return { fail: 'This server lost contact with the database; the job goes back to the queue.' }
    const remote = definition.lifecycle === 'remote'
    const attempt = job.retryCount + 1
    const started = await this.transitions.startRun({ jobId, deliveryId: job.id, runId, instanceId: this.liveness!.id, attempt, status: remote ? null : 'running' })
    // An old delivery, or a job that ended meanwhile: nothing to run.
    if (!started) return { complete: {} }
    try {
      const result = await definition.run(this.context(started, runId, controller.signal, remote))
      // Assets a job made (`outputs` in its result) are announced with its success.
      const outputs = Array.isArray(result.outputs) ? [{ type: 'outputs' as const, assetIds: result.outputs.map(String) }] : []
      const succeeded = await this.transitions.move(jobId, 'succeeded', { runId, error: null, errorKind: null, result, before: [...outputs, { type: 'progress', progress: 1 }, { type: 'result', result }] })
      // A run that was taken over meanwhile records nothing; settling it is a no-op too.
      if (succeeded) await this.settled(succeeded, 'succeeded', null, result)
      return { complete: {} }
    } catch (error) {
      if (error instanceof JobDeferred) {
        await this.transitions.letGo(jobId, runId)
        return { defer: error.delayMs }
      }
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined
      const released = reason instanceof JobReleased
      // Cancelled: whoever cancelled it recorded that.
      if (!released && (error instanceof JobCancelled || controller.signal.aborted)) return { complete: {} }
      const message = released ? reason.message : (error as Error).message
      const errorKind = released ? null : errorKindOf(error)
      const retryable = (released || isRetryable(error)) && job.retryCount < job.retryLimit
      if (!retryable) {
        const failed = await this.transitions.move(jobId, 'failed', { runId, error: message, errorKind, before: [{ type: 'error', message, willRetry: false }] })
        if (!failed) return { fail: message }
        await this.settled(failed, 'failed', message)
        return { complete: {} } // pg-boss must not retry what cannot succeed.
      }
      await this.transitions.move(jobId, remote ? 'queued' : 'retrying', { runId, error: message, errorKind, release: true, before: [{ type: 'error', message, willRetry: true }] })
      return { fail: message }
    }
  }

  private context(job: TransitionedJob & { status: JobStatus; startedAt: Date }, runId: string, signal: AbortSignal, remote: boolean): JobContext<unknown> {
    const { id: jobId } = job
    return {
      jobId,
      runId,
      ownerId: job.ownerId,
      input: job.input,
      attempt: job.attempts,
      status: job.status,
      startedAt: job.startedAt,
      signal,
      progress: async (fraction, detail) => {
        if (signal.aborted) throw new JobCancelled()
        const clamped = Math.min(1, Math.max(0, fraction))
        const { status, written } = await this.transitions.progress(jobId, runId, clamped, typeof detail === 'string' ? { stage: detail } : detail)
        if (status === 'cancelled' || status === null) throw new JobCancelled()
        if (!written) throw new JobReleased('Another run took this job over.')
      },
      setStatus: async (to, extra = {}) => {
        if (!remote) throw new Error(`Only remote work reports "${to}" itself.`)
        return (await this.transitions.move(jobId, to, { runId, serverId: extra.serverId, ...(to === 'dispatched' ? { error: null, errorKind: null } : {}) })) !== null
      },
      emit: async (event) => { await this.transitions.append(jobId, runId, [event]) },
      log: async (message, level = 'info') => { await this.transitions.append(jobId, runId, [{ type: 'log', level, message }]) },
    }
  }

  /** After a job ended: its kind's hook, once, by whichever caller ended it. */
  private async settled(job: TransitionedJob, status: 'succeeded' | 'failed' | 'cancelled', error: string | null, result: Record<string, unknown> | null = null): Promise<void> {
    await this.definitions.get(job.kind)?.onSettled?.(job.input, status, error, job, result)
      .catch((e: Error) => console.error(`[jobs] ${job.kind} after ${status}:`, e.message))
  }

  /** This instance lost its heartbeat: its runs stop without side effects, and others may take over. */
  private letGo(reason: string): void {
    if (this.running.size > 0) console.error(`[jobs] ${reason}; letting go of ${this.running.size} running job(s).`)
    for (const { controller } of this.running.values()) {
      if (!controller.signal.aborted) controller.abort(new JobReleased(`This server lost contact with the database (${reason}); the job goes back to the queue.`))
    }
  }

  /** Stops runs here whose job was cancelled elsewhere, in case that announcement was missed. */
  private async stopCancelled(): Promise<void> {
    if (this.running.size === 0) return
    const { rows } = await this.db.sql.query<{ id: string }>(`SELECT id FROM "Job" WHERE id = ANY($1::text[]) AND status = 'cancelled'`, [[...this.running.keys()]])
    for (const { id } of rows) this.running.get(id)?.controller.abort(new JobCancelled())
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
      const { rows } = await this.db.sql.query<{ id: string; kind: string; instanceId: string; runId: string; deliveryId: string }>(`SELECT j.id, j.kind, j."instanceId", j."runId", COALESCE(j."deliveryId", j.id) AS "deliveryId" FROM "Job" j
        LEFT JOIN "Instance" i ON i.id = j."instanceId"
        WHERE j."runId" IS NOT NULL AND j."instanceId" IS NOT NULL
          AND (i.id IS NULL OR i."heartbeatAt" < now() - $1::int * interval '1 millisecond' OR j."instanceId" = ANY($2::text[]))
        LIMIT 500`, [liveness.staleAfterMs, dead])
      let handed = 0
      for (const row of rows) {
        if (row.instanceId === liveness.id && this.running.get(row.id)?.runId === row.runId) continue
        if (await this.handBack(row, dead, HOLDER_GONE)) handed++
      }
      await liveness.prune(dead.slice(0, -1))
      return handed
    })().finally(() => { this.sweeping = null })
    return this.sweeping
  }

  /**
   * Fails the run of a dead holder in pg-boss (so the job is retried, counted as a retry), in one
   * transaction with the Job row, and only while the row still names that run of a dead holder
   * and pg-boss still holds that very delivery: a holder that came back, or a job another worker
   * has already fetched again, is left alone. Remote work gives back what it held (its place on
   * a server) by being queued again; its next run re-attaches to what the server still runs.
   */
  private async handBack(job: { id: string; kind: string; instanceId: string; runId: string; deliveryId: string }, dead: string[], message: string): Promise<boolean> {
    const boss = this.boss!
    // Also loads pg-boss's queue cache, which it cannot do inside a PGlite transaction.
    if ((await boss.getJobById(job.kind, job.deliveryId))?.state !== 'active') return false
    const remote = this.definitions.get(job.kind as JobKind)?.lifecycle === 'remote'
    const outcome = await this.db.transaction(async (sql) => {
      const { rows } = await sql.query<{ attempts: number }>(`SELECT j.attempts FROM "Job" j LEFT JOIN "Instance" i ON i.id = j."instanceId"
        WHERE j.id = $1 AND j."runId" = $2 AND j."instanceId" = $3
          AND (i.id IS NULL OR i."heartbeatAt" < now() - $4::int * interval '1 millisecond' OR j."instanceId" = ANY($5::text[]))
        FOR UPDATE OF j`, [job.id, job.runId, job.instanceId, this.liveness!.staleAfterMs, dead])
      const held = rows[0]
      if (!held) return null
      const state = await settleRun(boss, sql, job.kind, job.deliveryId, held.attempts - 1, { fail: message })
      if (!state) return null
      const willRetry = state === 'retry'
      const to: JobStatus = !willRetry ? 'failed' : remote ? 'queued' : 'retrying'
      const error = willRetry ? message : 'The process running this job stopped and no retries remain; retry it.'
      const moved = await this.transitions.move(job.id, to, { runId: job.runId, error, release: true, before: [{ type: 'error', message, willRetry }], sql })
      return moved ? { moved, to } : null
    })
    if (!outcome) return false
    this.transitions.announce(job.id, outcome.to)
    if (outcome.to === 'failed') await this.settled(outcome.moved, 'failed', 'The process running this job stopped and no retries remain; retry it.')
    return true
  }

  /**
   * Brings job rows in line with pg-boss after crashes: a row still held by a run whose delivery
   * pg-boss already retries waits for that retry, and a row whose delivery ended (or never was
   * sent) ends too.
   */
  async reconcile(): Promise<number> {
    if (!this.boss) return 0
    const stale = await this.db.prisma.job.findMany({
      where: { status: { in: ['queued', 'dispatched', 'running', 'retrying'] }, createdAt: { lt: new Date(Date.now() - 5000) } },
      select: { id: true, kind: true, status: true, runId: true, deliveryId: true },
      take: 500,
    })
    let changed = 0
    for (const row of stale) {
      if (this.running.has(row.id)) continue
      const bossJob = await this.boss.getJobById(row.kind, row.deliveryId ?? row.id)
      const state = bossJob?.state
      if (state === 'active' || state === 'created') continue
      const remote = this.definitions.get(row.kind as JobKind)?.lifecycle === 'remote'
      if (state === 'retry') {
        if (row.runId) {
          const message = 'The process running this job stopped; it will be retried.'
          if (await this.transitions.move(row.id, remote ? 'queued' : 'retrying', { runId: row.runId, error: message, release: true, before: [{ type: 'error', message, willRetry: true }] })) changed++
        }
        continue
      }
      const [to, error] = state === 'cancelled'
        ? ['cancelled', 'Cancelled.'] as const
        : ['failed', state === 'completed' ? 'The job finished without recording its result; retry it.' : 'The process running this job stopped and no retries remain; retry it.'] as const
      const moved = await this.transitions.move(row.id, to, { error })
      if (moved) {
        await this.settled(moved, to, error)
        changed++
      }
    }
    return changed
  }

  private every(ms: number, task: () => Promise<unknown>, name: string): void {
    const timer = setInterval(() => void task().catch((e: Error) => console.error(`[jobs] ${name}:`, e.message)), ms)
    timer.unref()
    this.timers.push(timer)
  }
}

