import { createError, defineEventHandler, type EventHandler, type H3Event } from 'h3'
import { AppError, isAppError, type AppErrorCode } from '../../shared/errors'
import { useLattice } from '../app/instance'
import type { AuthUser } from '../services/auth/auth.service'
import type { Services } from '../trpc/context'
import { authenticate } from './authenticate'
import { isDatabaseUnavailable } from '../db/errors'
import { DATABASE_UNAVAILABLE } from '../trpc/errors'

const STATUS: Record<AppErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  PRECONDITION_FAILED: 412,
  SERVICE_UNAVAILABLE: 503,
}

/**
 * A plain HTTP route for what JSON cannot carry well (uploads, file bytes) that needs a signed-in
 * user. Errors answer as `{ statusCode, statusMessage, message, data: { code } }` with the same
 * codes and messages the tRPC procedures use.
 */
export function defineAuthedHandler<T>(handle: (event: H3Event, ctx: { services: Services; user: AuthUser }) => Promise<T>): EventHandler {
  return defineEventHandler(async (event) => {
    try {
      const { services } = await useLattice()
      const { user } = await authenticate(event, services)
      if (!user) throw new AppError('UNAUTHORIZED', 'Sign in, or send an API token as "Authorization: Bearer lat_…".')
      return await handle(event, { services, user })
    } catch (caught) {
      const error = isDatabaseUnavailable(caught) ? DATABASE_UNAVAILABLE : caught
      if (isAppError(error)) {
        throw createError({ statusCode: STATUS[error.code], statusMessage: error.code, message: error.message, data: { code: error.code, ...error.details } })
      }
      throw error
    }
  })
}
