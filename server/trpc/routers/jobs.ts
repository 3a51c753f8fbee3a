import { authedProcedure, router } from '../init'
import { afterEventId, trackedEvents } from '../job-events'
import { jobIdSchema, jobWatchSchema } from '../../../shared/schemas/jobs'

/** Every kind of long work (asset processing, generations, …) through one set of procedures. */
export const jobsRouter = router({
  get: authedProcedure.input(jobIdSchema).query(({ ctx, input }) => ctx.services.jobs.get(ctx.user.id, input.id)),
  cancel: authedProcedure.input(jobIdSchema).mutation(({ ctx, input }) => ctx.services.jobs.cancel(ctx.user.id, input.id)),
  retry: authedProcedure.input(jobIdSchema).mutation(({ ctx, input }) => ctx.services.jobs.retry(ctx.user.id, input.id)),
  /** Status, progress (with the kind's detail), previews, logs and results; a client that reconnects passes `lastEventId` and resumes after it. */
  watch: authedProcedure
    .input(jobWatchSchema)
    .subscription(({ ctx, input, signal }) => trackedEvents(ctx.services.jobs.watch(ctx.user.id, input.jobId, afterEventId(input.lastEventId), signal))),
})
