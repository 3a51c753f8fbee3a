import { z } from 'zod'
import { authedProcedure, router } from '../init'

export const tokensRouter = router({
  list: authedProcedure.query(({ ctx }) => ctx.services.auth.listTokens(ctx.user.id)),
  /** The secret is returned once, here; only its digest is stored. */
  create: authedProcedure.input(z.object({ name: z.string().trim().min(1, 'Name the token after the script that uses it.').max(100) }))
    .mutation(({ ctx, input }) => ctx.services.auth.createToken(ctx.user.id, input.name)),
  revoke: authedProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) => ctx.services.auth.revokeToken(ctx.user.id, input.id)),
})
