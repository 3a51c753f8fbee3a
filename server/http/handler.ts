import { createError, defineEventHandler, type EventHandler, type H3Event } from 'h3'
import { AppError } from '../../shared/errors'
import { useLattice } from '../app/instance'
import type { AuthUser } from '../services/auth/auth.service'
import type { Services } from '../trpc/context'
import { authenticate } from './authenticate'
import { asAppError, HTTP_STATUS } from '../errors'

/**
 * A plain HTTP route for what JSON cannot carry well (uploads, file bytes) that needs a signed-in
 * user. Errors answer as `{ statusCode, statusMessage, message, data: { code } }` with the same
 * codes and messages the tRPC procedures use.
 */
export function defineAuthedHandler<T>(handle: (event: H3Event, ctx: { services: Services; user: AuthUser }) => Promise<T>): EventHandler {
  return defineEventHandler(async (event) => {
    try {
      const { services, config } = await useLattice()
      const { user } = await authenticate(event, services, config.trustProxy)
      if (!user) throw new AppError('UNAUTHORIZED', 'Sign in, or send an API token as "Authorization: Bearer lat_…".')
      return await handle(event, { services, user })
    } catch (caught) {
      const error = asAppError(caught)
      if (error) throw createError({ statusCode: HTTP_STATUS[error.code], statusMessage: error.code, message: error.message, data: { code: error.code, ...error.details } })
      throw caught
    }
  })
}
