import { isAppError } from '../../shared/errors'

/**
 * Bad input (an AppError) is never retried, unless it says it is transient (a server that was
 * down or answered 5xx); any other error is retried.
 */
export function isRetryable(error: unknown): boolean {
  const transient = (error as { transient?: unknown } | null)?.transient
  if (transient === true) return true
  if (transient === false) return false
  return !isAppError(error)
}

/** A machine-readable reason for a failure, when the error carries one (`kind`, or an AppError's `details.kind`). */
export function errorKindOf(error: unknown): string | null {
  const kind = (error as { kind?: unknown } | null)?.kind ?? (error as { details?: { kind?: unknown } } | null)?.details?.kind
  return typeof kind === 'string' ? kind : null
}
