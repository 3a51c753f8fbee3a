import { authedProcedure, router } from '../init'
import { tokenCreateSchema } from '../../../shared/schemas/auth'
import { idInput } from '../../../shared/schemas/common'

export const tokensRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.services.auth.listTokens(ctx.user.id)),
  /** The secret is returned once, here; only its digest is stored. */
  create: authedProcedure.input(tokenCreateSchema).mutation(({ ctx, input }) => ctx.services.auth.createToken(ctx.user.id, input.name)),
  revoke: authedProcedure.input(idInput('Token')).mutation(({ ctx, input }) => ctx.services.auth.revokeToken(ctx.user.id, input.id)),
})
