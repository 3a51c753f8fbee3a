import { tracked, TRPCError } from '@trpc/server'
import { z } from 'zod'
import { authedProcedure, router } from '../init'

export const jobsRouter = router({
  get: authedProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => {
    const job = await ctx.services.db.prisma.job.findFirst({ where: { id: input.id, ownerId: ctx.user.id } })
    if (!job) throw new TRPCError({ code: 'NOT_FOUND', message: `No job with id ${input.id}.` })
    return job
  }),
  cancel: authedProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    const job = await ctx.services.db.prisma.job.findFirst({ where: { id: input.id, ownerId: ctx.user.id } })
    if (!job) throw new TRPCError({ code: 'NOT_FOUND', message: `No job with id ${input.id}.` })
    return { status: await ctx.services.queue.cancel(input.id) }
  }),
  /** Progress events; a client that reconnects passes `lastEventId` and resumes after it. */
  watch: authedProcedure
    .input(z.object({ jobId: z.uuid(), lastEventId: z.string().nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      const job = await ctx.services.db.prisma.job.findFirst({ where: { id: input.jobId, ownerId: ctx.user.id } })
      if (!job) throw new TRPCError({ code: 'NOT_FOUND', message: `No job with id ${input.jobId}.` })
      for await (const envelope of ctx.services.queue.events.watch(input.jobId, Number(input.lastEventId ?? 0) || 0, signal)) {
        yield tracked(String(envelope.id), envelope)
      }
    }),
})
