import { TRPCError } from '@trpc/server'
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc'
import type { AppErrorCode } from '../../shared/errors'
import { asAppError } from '../errors'

// Every AppError code is a tRPC code of the same name and status (see server/errors.ts).
const trpcCode = (code: AppErrorCode): TRPC_ERROR_CODE_KEY => code

/** Service errors as tRPC errors; unexpected ones hide their internals. */
export function toTRPCError(error: unknown): TRPCError {
  const known = asAppError(error instanceof TRPCError && error.cause ? error.cause : error)
  if (known) return new TRPCError({ code: trpcCode(known.code), message: known.message, cause: known })
  if (error instanceof TRPCError) return error
  console.error('[trpc] unexpected error:', error)
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Something went wrong on the server; it was logged. Try again.' })
}
