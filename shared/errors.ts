/**
 * The one error type services throw for expected failures. `code` maps to a tRPC/HTTP status in
 * one table (server/errors.ts); `message` is shown to users, so it says what to do.
 */
export type AppErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'TOO_MANY_REQUESTS'
  /** The request is fine but the server lacks something an admin can add (an AI model that is not installed). */
  | 'PRECONDITION_FAILED'
  | 'SERVICE_UNAVAILABLE'

export class AppError extends Error {
  readonly code: AppErrorCode
  /** Extra machine-readable facts (e.g. the current revision on a conflict). */
  readonly details?: Record<string, unknown>

  constructor(code: AppErrorCode, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.details = details
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError
