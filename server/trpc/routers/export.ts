import { authedProcedure, router } from '../init'
import { requireService, type Context } from '../context'
import { afterEventId, trackedEvents } from '../job-events'
import { EXPORT_PRESETS } from '../../../shared/export/presets'
import { watchInput } from '../../../shared/schemas/common'
import { exportCreateSchema, exportIdSchema, exportListSchema } from '../../../shared/schemas/export'

const exports = (ctx: Context) => requireService(ctx.services.exports, 'Exports')

/** Renders of compositions to videos, image sequences, conditioning passes and camera files. */
export const exportRouter = router({
  presets: authedProcedure.query(() => [...EXPORT_PRESETS]),
  /**
   * Queues an export of a composition at the project's current revision, or of `document` (the
   * editor's unsaved one). Settings are checked against the document before anything starts.
   */
  create: authedProcedure.input(exportCreateSchema).mutation(({ ctx, input }) => exports(ctx).create(ctx.user.id, input)),
  get: authedProcedure.input(exportIdSchema).query(({ ctx, input }) => exports(ctx).get(ctx.user.id, input.id)),
  list: authedProcedure.input(exportListSchema.default({})).query(({ ctx, input }) => exports(ctx).list(ctx.user.id, input)),
  cancel: authedProcedure.input(exportIdSchema).mutation(({ ctx, input }) => exports(ctx).cancel(ctx.user.id, input.id)),
  /** Forgets an export that ended; the files it made stay in the asset library. */
  remove: authedProcedure.input(exportIdSchema).mutation(async ({ ctx, input }) => {
    await exports(ctx).remove(ctx.user.id, input.id)
    return { removed: true }
  }),
  /** Frame progress (n of N, frames/s, time left), logs and the result; resumable with `lastEventId`. */
  watch: authedProcedure
    .input(watchInput('Export'))
    .subscription(({ ctx, input, signal }) => trackedEvents(exports(ctx).watch(ctx.user.id, input.id, afterEventId(input.lastEventId), signal))),
})
