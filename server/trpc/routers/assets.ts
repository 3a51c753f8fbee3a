import { z } from 'zod'
import { authedProcedure, router } from '../init'

const id = z.object({ id: z.uuid('Asset ids are UUIDs.') })

/** Uploads go through the streaming route POST /api/assets/upload, never through JSON. */
export const assetsRouter = router({
  list: authedProcedure
    .input(z.object({ kind: z.enum(['image', 'video', 'audio', 'file']).optional(), search: z.string().max(200).optional(), cursor: z.uuid().optional(), limit: z.number().int().min(1).max(100).optional() }).default({}))
    .query(({ ctx, input }) => ctx.services.assets.list(ctx.user.id, input)),
  get: authedProcedure.input(id).query(({ ctx, input }) => ctx.services.assets.get(ctx.user.id, input.id)),
  rename: authedProcedure.input(id.extend({ name: z.string().trim().min(1).max(255) })).mutation(({ ctx, input }) => ctx.services.assets.rename(ctx.user.id, input.id, input.name)),
  delete: authedProcedure.input(id).mutation(({ ctx, input }) => ctx.services.assets.delete(ctx.user.id, input.id)),
})
