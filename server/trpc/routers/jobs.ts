import { tracked } from '@trpc/server'
import { z } from 'zod'
import { authedProcedure, router } from '../init'

const id = z.object({ id: z.uuid('Job ids are UUIDs.') })

/** Every kind of long work (asset processing, generations, …) through one set of procedures. */
export const jobsRouter = router({
  get: authedProcedure.input(id).query(({ ctx, input }) => ctx.services.jobs.get(ctx.user.id, input.id)),
  cancel: authedProcedure.input(id).mutation(({ ctx, input }) => ctx.services.jobs.cancel(ctx.user.id, input.id)),
  retry: authedProcedure.input(id).mutation(({ ctx, input }) => ctx.services.jobs.retry(ctx.user.id, input.id)),
  /** Status, progress (with the kind's detail), previews, logs and results; a client that reconnects passes `lastEventId` and resumes after it. */
  watch: authedProcedure
    .input(z.object({ jobId: z.uuid(), lastEventId: z.string().nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const envelope of ctx.services.jobs.watch(ctx.user.id, input.jobId, Number(input.lastEventId ?? 0) || 0, signal)) {
        yield tracked(String(envelope.id), envelope)
      }
    }),
})
