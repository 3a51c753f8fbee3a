import { tracked } from '@trpc/server'
import { z } from 'zod'
import { TRPCError } from '@trpc/server'
import { authedProcedure, router } from '../init'
import type { Context } from '../context'
import { EXPORT_PRESETS } from '../../../shared/export/presets'
import { exportSettingsSchema } from '../../../shared/export/options'

function exports(ctx: Context) {
  if (!ctx.services.exports) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'Exports are not available in this process.' })
  return ctx.services.exports
}

const id = z.object({ id: z.uuid('Export ids are UUIDs.') })

/** Renders of compositions to videos, image sequences, conditioning passes and camera files. */
export const exportRouter = router({
  presets: authedProcedure.query(() => [...EXPORT_PRESETS]),
  /**
   * Queues an export of a composition at the project's current revision, or of `document` (the
   * editor's unsaved one). Settings are checked against the document before anything starts.
   */
  create: authedProcedure
    .input(exportSettingsSchema.extend({ projectId: z.uuid('Project ids are UUIDs.'), revision: z.number().int().min(1).optional(), document: z.unknown().optional() }))
    .mutation(({ ctx, input }) => exports(ctx).create(ctx.user.id, input)),
  get: authedProcedure.input(id).query(({ ctx, input }) => exports(ctx).get(ctx.user.id, input.id)),
  list: authedProcedure
    .input(z.object({ projectId: z.uuid().optional(), cursor: z.uuid().optional(), limit: z.number().int().min(1).max(100).optional() }).default({}))
    .query(({ ctx, input }) => exports(ctx).list(ctx.user.id, input)),
  cancel: authedProcedure.input(id).mutation(({ ctx, input }) => exports(ctx).cancel(ctx.user.id, input.id)),
  /** Forgets an export that ended; the files it made stay in the asset library. */
  remove: authedProcedure.input(id).mutation(async ({ ctx, input }) => {
    await exports(ctx).remove(ctx.user.id, input.id)
    return { removed: true }
  }),
  /** Frame progress (n of N, frames/s, time left), logs and the result; resumable with `lastEventId`. */
  watch: authedProcedure
    .input(z.object({ id: z.uuid(), lastEventId: z.string().nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      for await (const envelope of exports(ctx).watch(ctx.user.id, input.id, Number(input.lastEventId ?? 0) || 0, signal)) {
        yield tracked(String(envelope.id), envelope)
      }
    }),
})
