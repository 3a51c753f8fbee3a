import { AppError } from '../../../shared/errors'

/**
 * Failed sign-ins per key within a sliding window. In memory: it protects one instance; several
 * instances behind a balancer each enforce it on their own share.
 */
export class FailureRateLimiter {
  private readonly failures = new Map<string, number[]>()

  constructor(private readonly maxFailures: number, private readonly windowMs: number) {}

  /** Throws TOO_MANY_REQUESTS while any key is over its budget. */
  check(keys: string[], now = Date.now()): void {
    for (const key of keys) {
      const recent = this.recent(key, now)
      if (recent.length >= this.maxFailures) {
        const retryAfter = Math.ceil((recent[0]! + this.windowMs - now) / 1000)
        throw new AppError('TOO_MANY_REQUESTS', `Too many failed sign-ins. Wait ${retryAfter} s and try again.`, { retryAfterSeconds: retryAfter })
      }
    }
  }

  fail(keys: string[], now = Date.now()): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now])
  }

  /** Failures of `key` within the window. */
  count(key: string, now = Date.now()): number {
    return this.recent(key, now).length
  }

  reset(key: string): void {
    this.failures.delete(key)
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs)
    if (list.length === 0) this.failures.delete(key)
    return list
  }
}
