import { initTRPC, TRPCError } from '@trpc/server'
import { z } from 'zod'
import { isAppError } from '../../shared/errors'
import type { Context } from './context'
import { toTRPCError } from './errors'
import { transformer } from '../../shared/transformer'

// Dates arrive as Dates in the browser and in scripts (see shared/transformer.ts).
const t = initTRPC.context<Context>().create({
  transformer,
  errorFormatter({ shape, error }) {
    const cause = error.cause
    return {
      ...shape,
      data: {
        ...shape.data,
        stack: undefined,
        zodError: cause instanceof z.ZodError ? z.flattenError(cause) : null,
        details: isAppError(cause) ? cause.details ?? null : null,
      },
    }
  },
})

// In tRPC v11 a failed procedure comes back as `result.ok === false`, not as a throw.
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next()
  if (!result.ok && !(result.error.cause instanceof z.ZodError)) {
    const mapped = toTRPCError(result.error.cause ?? result.error)
    if (mapped !== result.error) throw mapped
  }
  return result
})

export const router = t.router
export const createCallerFactory = t.createCallerFactory
export const publicProcedure = t.procedure.use(mapErrors)
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in, or send an API token as "Authorization: Bearer lat_…".' })
  return next({ ctx: { ...ctx, user: ctx.user } })
})
