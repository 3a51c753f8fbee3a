import type { RunProgress } from '../../comfy'
import type { JobContext } from '../../jobs/types'
import type { JobProgressDetail } from '../../../shared/jobs'

/**
 * Folds a ComfyUI run's progress into its job: `running` as soon as the server starts it, then
 * progress at most once per `intervalMs` (the latest state, written when the interval ends), a
 * sampler's last step always; previews at most once per `previewIntervalMs` as data URLs. Writes
 * happen in order, one at a time.
 */
export class ProgressReporter {
  private chain: Promise<void> = Promise.resolve()
  private running = false
  private lastWrite = Number.NEGATIVE_INFINITY
  private lastPreview = Number.NEGATIVE_INFINITY
  private pending: RunProgress | null = null
  private timer: NodeJS.Timeout | null = null

  constructor(private readonly job: Pick<JobContext<unknown>, 'progress' | 'setStatus' | 'emit'>, private readonly previewIntervalMs: number, private readonly intervalMs = 200) {}

  progress(progress: RunProgress): void {
    // The end is recorded by the job's success; nothing is left to say about it here.
    if (progress.state === 'finished') return
    const becameRunning = progress.state !== 'pending' && !this.running
    const lastStep = progress.step !== undefined && progress.step.value >= progress.step.max
    if (becameRunning) {
      this.running = true
      this.enqueue(() => this.job.setStatus('running').then(() => undefined))
    }
    const wait = this.lastWrite + this.intervalMs - performance.now()
    if (becameRunning || lastStep || wait <= 0) return this.write(progress)
    this.pending = progress
    this.timer ??= setTimeout(() => {
      this.timer = null
      if (this.pending) this.write(this.pending)
    }, wait)
  }

  preview(image: Buffer, mime: string, node?: string): void {
    const now = performance.now()
    if (now - this.lastPreview < this.previewIntervalMs || image.length > 256 * 1024) return
    this.lastPreview = now
    const dataUrl = `data:${mime};base64,${image.toString('base64')}`
    this.enqueue(() => this.job.emit({ type: 'preview', node, dataUrl }))
  }

  /** Waits for every write so far; nothing more is written afterwards. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.pending = null
    return this.chain
  }

  private write(progress: RunProgress): void {
    this.pending = null
    this.lastWrite = performance.now()
    const detail: JobProgressDetail = { node: progress.node, classType: progress.classType, step: progress.step?.value, max: progress.step?.max, ahead: progress.ahead }
    this.enqueue(() => this.job.progress(progress.fraction, withoutUndefined(detail)))
  }

  private enqueue(work: () => Promise<void>): void {
    // A cancel or a takeover is noticed by the run itself; a failed write only loses one update.
    this.chain = this.chain.then(work).catch((error: Error) => { if (error.name !== 'JobCancelled' && error.name !== 'JobReleased') console.error('[comfy] progress write failed:', error.message) })
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
