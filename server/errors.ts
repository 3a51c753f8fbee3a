import { AppError, isAppError, type AppErrorCode } from '../shared/errors'
import { isDatabaseUnavailable, isInvalidText } from './db/errors'

/**
 * The one error table: each expected failure's HTTP status. tRPC procedures answer with the
 * tRPC code of the same name (which maps to the same status); plain HTTP routes
 * (server/http/handler.ts) answer with the status itself. Either way the message is the same.
 */
export const HTTP_STATUS: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
}

export const DATABASE_UNAVAILABLE = new AppError('SERVICE_UNAVAILABLE', 'The database cannot be reached right now. Nothing was changed; check that it is running (DATABASE_URL) and try again.')
export const NUL_IN_TEXT = new AppError('BAD_REQUEST', 'Text cannot contain NUL characters (\\u0000); remove them and send it again.')

/**
 * An expected failure as the AppError users see, or null for a bug (which is logged and answered
 * as a plain 500 without its internals). Failures from below the services (the database refusing
 * text, or being unreachable) are recognised here so every route answers them the same way.
 */
export function asAppError(error: unknown): AppError | null {
  if (isAppError(error)) return error
  if (isInvalidText(error)) return NUL_IN_TEXT
  if (isDatabaseUnavailable(error)) {
    console.error('[db] unreachable:', error instanceof Error ? error.message.split('\n').at(-1) : error)
    return DATABASE_UNAVAILABLE
  }
  return null
}
