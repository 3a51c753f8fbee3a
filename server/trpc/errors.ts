import { TRPCError } from '@trpc/server'
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc'
import { isAppError, type AppErrorCode } from '../../shared/errors'

const CODES: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
}

/** The one place service errors become tRPC errors; unexpected ones hide their internals. */
export function toTRPCError(error: unknown): TRPCError {
  if (error instanceof TRPCError) {
    if (isAppError(error.cause)) return new TRPCError({ code: CODES[error.cause.code], message: error.cause.message, cause: error.cause })
    return error
  }
  if (isAppError(error)) return new TRPCError({ code: CODES[error.code], message: error.message, cause: error })
  console.error('[trpc] unexpected error:', error)
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Something went wrong on the server; it was logged. Try again.' })
}
