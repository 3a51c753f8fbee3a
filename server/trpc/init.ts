import { initTRPC, TRPCError } from '@trpc/server'
import { z } from 'zod'
import { AppError, isAppError } from '../../shared/errors'
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
  if (result.ok) return result
  const error = result.error
  const cause = error.cause
  // Invalid input reads as sentences ("id: Project ids are UUIDs."); the issues stay in `data.zodError`.
  if (cause instanceof z.ZodError) throw new TRPCError({ code: 'BAD_REQUEST', message: describeIssues(cause), cause })
  // tRPC reads the input lazily, inside the procedure: a body or `?input=` it cannot parse lands here.
  // (a SyntaxError from tRPC's own reading of the input, for bodies too large for the handler to pre-check)
  if (error.code === 'PARSE_ERROR' || (cause instanceof SyntaxError && cause.stack?.includes('getRawInput'))) {
    throw new TRPCError({ code: 'PARSE_ERROR', message: `The request's input is not valid JSON (${cause instanceof Error ? cause.message : 'unreadable'}). Send a JSON body, or a JSON \`?input=\` for queries.`, cause })
  }
  const mapped = toTRPCError(cause ?? error)
  if (mapped !== error) throw mapped
  return result
})

/** Zod issues as one line each: the field's path, then what is wrong with it. */
function describeIssues(error: z.ZodError): string {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join('.')
    return path ? `${path}: ${issue.message}` : issue.message
  })
  if (error.issues.length > 5) lines.push(`… and ${error.issues.length - 5} more problems.`)
  return lines.join('\n')
}

export const router = t.router
export const createCallerFactory = t.createCallerFactory
export const publicProcedure = t.procedure.use(mapErrors)
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new AppError('UNAUTHORIZED', 'Sign in, or send an API token as "Authorization: Bearer lat_…".')
  return next({ ctx: { ...ctx, user: ctx.user } })
})

/** What an admin-only procedure does, for the refusal's sentence; keyed by the router it is in. */
const ADMIN_WORK: Record<string, string> = {
  users: 'manage users',
  comfy: 'change ComfyUI servers',
  ai: 'install or remove models',
}

/** Procedures that change the server for everyone (users, ComfyUI servers, AI models). */
export const adminProcedure = authedProcedure.use(({ ctx, path, next }) => {
  if (ctx.user.role !== 'admin') {
    const work = ADMIN_WORK[path.split('.')[0] ?? ''] ?? 'do this'
    throw new AppError('FORBIDDEN', `Only an admin can ${work}; ask yours.`)
  }
  return next()
})
