import { authedProcedure, router } from '../init'
import { assetListSchema, assetNameSchema } from '../../../shared/schemas/assets'
import { idInput } from '../../../shared/schemas/common'

const id = idInput('Asset')

/** Uploads go through the streaming route POST /api/assets/upload, never through JSON. */
export const assetsRouter = router({
  list: authedProcedure.input(assetListSchema.default({})).query(({ ctx, input }) => ctx.services.assets.list(ctx.user.id, input)),
  get: authedProcedure.input(id).query(({ ctx, input }) => ctx.services.assets.get(ctx.user.id, input.id)),
  rename: authedProcedure.input(id.extend({ name: assetNameSchema })).mutation(({ ctx, input }) => ctx.services.assets.rename(ctx.user.id, input.id, input.name)),
  delete: authedProcedure.input(id).mutation(({ ctx, input }) => ctx.services.assets.delete(ctx.user.id, input.id)),
})
