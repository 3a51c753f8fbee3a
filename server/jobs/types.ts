import type { JobEvent, JobKind, JobProgressDetail, JobStatus } from '../../shared/jobs'

export interface JobContext<Input> {
  jobId: string
  /** This run of the job; the job's own writes are fenced by it, and a kind's domain writes can be too. */
  runId: string
  ownerId: string
  input: Input
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number
  /** The job's status as this run started (remote work may already be dispatched or running). */
  status: JobStatus
  /** When the job's first run started (kept across retries). */
  startedAt: Date
  /**
   * Aborted when the job is cancelled while it runs here (reason: JobCancelled), or when this
   * process lets go of it (reason: JobReleased): it stops, or it lost contact with the database.
   * A released run must stop at once without side effects; another run resumes the job.
   */
  signal: AbortSignal
  /** Records progress (0..1, with the kind's detail) and throws JobCancelled if the job was cancelled anywhere. */
  progress(fraction: number, detail?: JobProgressDetail | string): Promise<void>
  /**
   * Remote work only: the job was placed on a server (`dispatched`) or the server started it
   * (`running`). False when the move was not allowed or the run no longer holds the job.
   */
  setStatus(to: 'dispatched' | 'running', extra?: { serverId?: string }): Promise<boolean>
  /** Previews, logs and outputs, recorded while this run holds the job. */
  emit(event: Extract<JobEvent, { type: 'preview' | 'log' | 'outputs' }>): Promise<void>
  log(message: string, level?: 'info' | 'warn'): Promise<void>
}

/**
 * One kind of job. `Input` is what the kind is enqueued with; the queue keeps it as JSON and hands
 * it back only to the same kind, so the queue holds its mixed kinds as `JobDefinition` (unknown
 * input), which the method signatures below accept for any kind.
 */
export interface JobDefinition<Input = unknown> {
  kind: JobKind
  run(context: JobContext<Input>): Promise<Record<string, unknown>>
  /**
   * `local` (default): work done in this process; a run that starts is `running`, a fault waits
   * as `retrying`. `remote`: work placed on another server; a run reports `dispatched` and
   * `running` itself (JobContext.status), and a fault queues it again as `queued`.
   */
  lifecycle?: 'local' | 'remote'
  /** Retries after transient faults; an AppError (bad input) is never retried. */
  retryLimit: number
  retryDelaySeconds: number
  /** The lease: a job held longer than this by a process that died is handed to another worker. */
  expireInSeconds: number
  concurrency: number
  /**
   * How many runs of this kind could start now (e.g. free places on ComfyUI servers; Infinity
   * when any number could). The queue takes no more jobs than that, so work waiting for a
   * resource waits in the queue and holds no worker slot. `runningHere`: this kind's runs in
   * progress in this process (some may not have taken their resource yet).
   */
  startable?(runningHere: number): Promise<number>
  /** Called once when the job ends, by whichever instance ended it (e.g. to send a webhook, or mark its asset failed). */
  onSettled?(input: Input, status: 'succeeded' | 'failed' | 'cancelled', error: string | null, job: { id: string; ownerId: string }, result: Record<string, unknown> | null): Promise<void>
}

export class JobCancelled extends Error {
  constructor() {
    super('The job was cancelled.')
    this.name = 'JobCancelled'
  }
}

/** Why a run was stopped without being cancelled: the job goes back to the queue for another run. */
export class JobReleased extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JobReleased'
  }
}

/**
 * Thrown by a run that cannot go on yet (every capable server is busy): the job goes back to the
 * queue as it was, keeps its place and its attempt count, and is fetched again after `delayMs`.
 */
export class JobDeferred extends Error {
  constructor(readonly reason: string, readonly delayMs = 1000) {
    super(reason)
    this.name = 'JobDeferred'
  }
}
