/**
 * A lock handed out in arrival order. `acquire` takes it at once (synchronously) when free, so an
 * idle check right after sees it held; a waiter whose signal aborts leaves the line without running.
 */
export class Fifo {
  private busy = false
  private readonly waiters: Array<{ grant: () => void; fail: (error: unknown) => void }> = []

  get held(): boolean { return this.busy }
  get waiting(): number { return this.waiters.length }
  get idle(): boolean { return !this.busy && this.waiters.length === 0 }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (!this.busy) {
      this.busy = true
      return Promise.resolve()
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter)
        if (at >= 0) this.waiters.splice(at, 1)
        reject(signal!.reason)
      }
      const waiter = {
        grant: () => { signal?.removeEventListener('abort', onAbort); resolve() },
        fail: (error: unknown) => { signal?.removeEventListener('abort', onAbort); reject(error) },
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
  }

  /** Hands the lock to the next in line (it stays held), or frees it. */
  release(): void {
    const next = this.waiters.shift()
    if (next) next.grant()
    else this.busy = false
  }

  /** Turns everyone waiting away (on close). */
  rejectAll(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) waiter.fail(error)
  }
}
