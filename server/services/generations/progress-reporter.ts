import type { RunProgress } from '../../comfy'
import type { JobContext } from '../../jobs/types'
import type { JobProgressDetail } from '../../../shared/jobs'

/**
 * Folds a ComfyUI run's progress into its job: `running` when the server starts it, progress
 * writes throttled and in order (a node change, a last step and the end always written), previews
 * at most once per interval as data URLs.
 */
export class ProgressReporter {
  private chain: Promise<void> = Promise.resolve()
  private running = false
  private lastNode?: string
  private lastWrite = 0
  private lastPreview = 0

  constructor(private readonly job: Pick<JobContext<unknown>, 'progress' | 'setStatus' | 'emit'>, private readonly previewIntervalMs: number) {}

  progress(progress: RunProgress): void {
    const detail: JobProgressDetail = { node: progress.node, classType: progress.classType, step: progress.step?.value, max: progress.step?.max, ahead: progress.ahead }
    const becameRunning = progress.state !== 'pending' && !this.running
    const changedNode = progress.node !== this.lastNode
    const now = performance.now()
    const lastStep = progress.step !== undefined && progress.step.value >= progress.step.max
    if (!becameRunning && !changedNode && !lastStep && now - this.lastWrite < 200 && progress.state !== 'finished') return
    this.lastNode = progress.node
    this.lastWrite = now
    if (becameRunning) this.running = true
    this.enqueue(async () => {
      if (becameRunning) await this.job.setStatus('running')
      await this.job.progress(progress.fraction, withoutUndefined(detail))
    })
  }

  preview(image: Buffer, mime: string, node?: string): void {
    const now = performance.now()
    if (now - this.lastPreview < this.previewIntervalMs || image.length > 256 * 1024) return
    this.lastPreview = now
    const dataUrl = `data:${mime};base64,${image.toString('base64')}`
    this.enqueue(() => this.job.emit({ type: 'preview', node, dataUrl }))
  }

  flush(): Promise<void> {
    return this.chain
  }

  private enqueue(work: () => Promise<void>): void {
    // A cancel or a takeover is noticed by the run itself; a failed write only loses one update.
    this.chain = this.chain.then(work).catch((error: Error) => { if (error.name !== 'JobCancelled' && error.name !== 'JobReleased') console.error('[comfy] progress write failed:', error.message) })
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
