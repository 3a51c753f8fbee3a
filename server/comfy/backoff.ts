export interface BackoffOptions {
  initialMs: number
  maxMs: number
  factor: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2 }

/**
 * Exponential back-off with full jitter: attempt 0 waits up to `initialMs`, each later attempt
 * up to `factor` times longer, capped at `maxMs`. Jitter keeps many workers from reconnecting to
 * a restarted server in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt))
  // Never below half the ceiling, so a reconnect loop cannot spin.
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
