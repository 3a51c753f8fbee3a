import type { JobProgressDetail } from '../../../shared/jobs'

/** Writes at most this often: a frame every few milliseconds must not become a database write each. */
const REPORT_EVERY_MS = 250

/**
 * Counts frames as their passes are taken and reports frames done, frames per second and the
 * time left, throttled. A frame counts once every pass of it was taken.
 */
export class ProgressMeter {
  private taken = 0
  private lastReport = 0
  private readonly startedAt = Date.now()

  constructor(
    private readonly frames: number,
    private readonly passesPerFrame: number,
    private readonly report: (fraction: number, detail: JobProgressDetail) => Promise<void>,
  ) {}

  async tick(): Promise<void> {
    this.taken++
    const done = Math.floor(this.taken / Math.max(1, this.passesPerFrame))
    const now = Date.now()
    if (done < this.frames && now - this.lastReport < REPORT_EVERY_MS) return
    this.lastReport = now
    const seconds = (now - this.startedAt) / 1000
    const rate = seconds > 0 ? done / seconds : 0
    const etaSeconds = rate > 0 ? Math.round((this.frames - done) / rate) : undefined
    await this.report(done / this.frames, { step: done, max: this.frames, rate: Math.round(rate * 10) / 10, ...(etaSeconds !== undefined ? { etaSeconds } : {}) })
  }
}
