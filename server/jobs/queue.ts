import PgBoss from 'pg-boss'
import type { Database } from '../db/connect'
import { isAppError, AppError } from '../../shared/errors'
import { TERMINAL_JOB_STATUSES, type JobKind, type JobStatus } from '../../shared/jobs'
import { JobEventLog } from './events'
import { JobCancelled, type JobContext, type JobDefinition } from './types'

export interface JobQueueOptions {
  /** false: this process only enqueues (e.g. a script); true: it also runs jobs. */
  worker?: boolean
  pollingIntervalSeconds?: number
  /** How often pg-boss looks for expired leases. */
  superviseIntervalSeconds?: number
  /** How often job rows are reconciled with pg-boss's state. */
  reconcileIntervalMs?: number
}

interface BossPayload { jobId: string }

/**
 * Durable background jobs on the app's own database. pg-boss delivers them (retries with
 * backoff, leases, at-most-one active holder); the Job row and its event log are what users see.
 */
export class JobQueue {
  readonly events: JobEventLog
  private boss: PgBoss | null = null
  private readonly running = new Map<string, AbortController>()
  private reconcileTimer: NodeJS.Timeout | null = null
  private readonly definitions: Map<JobKind, JobDefinition>
  private stopping = false

  constructor(private readonly db: Database, definitions: JobDefinition[], private readonly options: JobQueueOptions = {}) {
    this.definitions = new Map(definitions.map((d) => [d.kind, d]))
    this.events = new JobEventLog(db)
  }

  async start(): Promise<void> {
    const boss = new PgBoss({
      db: this.db.bossDb as PgBoss.Db,
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
      if (this.options.worker === false) continue
      const workOptions = { includeMetadata: true as const, batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 1 }
      for (let i = 0; i < definition.concurrency; i++) {
        await boss.work<BossPayload>(definition.kind, workOptions, async ([job]) => {
          if (job) await this.execute(definition, job)
        })
      }
    }
    if (this.options.worker !== false) {
      this.reconcileTimer = setInterval(() => void this.reconcile().catch((e) => console.error('[jobs] reconcile:', e.message)), this.options.reconcileIntervalMs ?? 15_000)
      this.reconcileTimer.unref()
    }
  }

  async stop(): Promise<void> {
    this.stopping = true
    if (this.reconcileTimer) clearInterval(this.reconcileTimer)
    for (const controller of this.running.values()) controller.abort()
    await this.boss?.stop({ graceful: true, timeout: 5000, close: false })
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
    return job
  }

  /** Cancels a job in any state; a job running on another instance stops at its next progress report. */
  async cancel(jobId: string): Promise<JobStatus> {
    const job = await this.db.prisma.job.findUnique({ where: { id: jobId } })
    if (!job) throw new AppError('NOT_FOUND', `Job ${jobId} does not exist.`)
    if (TERMINAL_JOB_STATUSES.includes(job.status as JobStatus)) return job.status as JobStatus
    await this.finish(jobId, 'cancelled', { error: 'Cancelled by the user.' })
    await this.boss?.cancel(job.kind, jobId).catch(() => {})
    this.running.get(jobId)?.abort()
    return 'cancelled'
  }

  private async execute(definition: JobDefinition, bossJob: PgBoss.JobWithMetadata<BossPayload>): Promise<void> {
    const { jobId } = bossJob.data
    const row = await this.db.prisma.job.findUnique({ where: { id: jobId } })
    if (!row || TERMINAL_JOB_STATUSES.includes(row.status as JobStatus)) return
    const attempt = bossJob.retryCount + 1
    const controller = new AbortController()
    this.running.set(jobId, controller)
    try {
      await this.events.append(jobId, { type: 'status', status: 'running', attempt })
      await this.db.prisma.job.update({ where: { id: jobId }, data: { status: 'running', attempts: attempt, startedAt: row.startedAt ?? new Date(), error: null } })
      const result = await definition.run(this.context(row, attempt, controller.signal))
      await this.events.append(jobId, { type: 'progress', progress: 1 })
      await this.events.append(jobId, { type: 'result', result })
      await this.finish(jobId, 'succeeded', { result })
    } catch (error) {
      if (error instanceof JobCancelled) return
      // Aborted by a cancel: done. Aborted because this process stops: hand the job back for another run.
      const stopped = controller.signal.aborted && this.stopping
      if (controller.signal.aborted && !stopped) return
      const message = stopped ? 'The server running this job stopped; it will be resumed.' : (error as Error).message
      const retryable = (stopped || isRetryable(error)) && bossJob.retryCount < bossJob.retryLimit
      await this.events.append(jobId, { type: 'error', message, willRetry: retryable })
      if (!retryable) {
        await this.finish(jobId, 'failed', { error: message })
        return // pg-boss must not retry what cannot succeed.
      }
      await this.events.append(jobId, { type: 'status', status: 'retrying', attempt })
      await this.db.prisma.job.update({ where: { id: jobId }, data: { status: 'retrying', error: message } })
      throw error
    } finally {
      this.running.delete(jobId)
    }
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

  /** Writes the terminal event before the row, so a watcher that sees the row ended has every event. */
  private async finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', data: { result?: Record<string, unknown>; error?: string }) {
    const row = await this.db.prisma.job.findUnique({ where: { id: jobId }, select: { attempts: true, kind: true, input: true } })
    await this.events.append(jobId, { type: 'status', status, attempt: row?.attempts ?? 0 })
    if (row && status !== 'succeeded') {
      await this.definitions.get(row.kind as JobKind)?.onSettledUnsuccessfully?.(row.input, status, data.error ?? status)
        .catch((e: Error) => console.error(`[jobs] ${row.kind} cleanup after ${status}:`, e.message))
    }
    await this.db.prisma.job.update({
      where: { id: jobId },
      data: { status, finishedAt: new Date(), result: (data.result as object) ?? undefined, error: data.error ?? null, ...(status === 'succeeded' ? { progress: 1 } : {}) },
    })
  }

  /** Whether a job is still running in this process. */
  isRunningHere(jobId: string): boolean {
    return this.running.has(jobId)
  }

  /**
   * Brings job rows in line with pg-boss after crashes: a row left "running" by a dead process
   * whose lease expired becomes "retrying", and one with no retries left becomes "failed".
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
