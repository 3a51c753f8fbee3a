import { TRPCError } from '@trpc/server'
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc'
import { AppError, isAppError, type AppErrorCode } from '../../shared/errors'
import { isDatabaseUnavailable, isInvalidText } from '../db/errors'

const CODES: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
}

/** The one place service errors become tRPC errors; unexpected ones hide their internals. */
export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) {
    if (isAppError(error.cause)) return new TRPCError({ code: CODES[error.cause.code], message: error.cause.message, cause: error.cause })
    return error
  }
  if (isAppError(error)) return new TRPCError({ code: CODES[error.code], message: error.message, cause: error })
  if (isInvalidText(error)) return new TRPCError({ code: 'BAD_REQUEST', message: 'Text cannot contain NUL characters (\\u0000); remove them and send it again.', cause: error })
  if (isDatabaseUnavailable(error)) {
    console.error('[db] unreachable:', error instanceof Error ? error.message.split('\n').at(-1) : error)
    return toTRPCError(DATABASE_UNAVAILABLE)
  }
  console.error('[trpc] unexpected error:', error)
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Something went wrong on the server; it was logged. Try again.' })
}

export const DATABASE_UNAVAILABLE = new AppError('SERVICE_UNAVAILABLE', 'The database cannot be reached right now. Nothing was changed; check that it is running (DATABASE_URL) and try again.')
