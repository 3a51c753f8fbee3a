import type { JobKind } from '../../shared/jobs'

export interface JobContext<Input> {
  jobId: string
  ownerId: string
  input: Input
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number
  /**
   * Aborted when the job is cancelled while it runs here (reason: JobCancelled), or when this
   * process lets go of it (reason: JobReleased): it stops, or it lost contact with the database.
   * A released run must stop at once without side effects; another run resumes the job.
   */
  signal: AbortSignal
  /** Records progress (0..1) and throws JobCancelled if the job was cancelled anywhere. */
  progress(fraction: number, stage?: string): Promise<void>
  log(message: string, level?: 'info' | 'warn'): Promise<void>
}

export interface JobDefinition<Input = any> {
  kind: JobKind
  run(context: JobContext<Input>): Promise<Record<string, unknown>>
  /** Retries after transient faults; an AppError (bad input) is never retried. */
  retryLimit: number
  retryDelaySeconds: number
  /** The lease: a job held longer than this by a process that died is handed to another worker. */
  expireInSeconds: number
  concurrency: number
  /** Called once when the job ends failed or cancelled, to leave its subject in a clear state. */
  onSettledUnsuccessfully?(input: Input, status: 'failed' | 'cancelled', error: string): Promise<void>
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
