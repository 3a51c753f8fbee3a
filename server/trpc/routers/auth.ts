import { AppError } from '../../../shared/errors'
import { authedProcedure, publicProcedure, router } from '../init'
import { changePasswordSchema, signInSchema } from '../../../shared/schemas/auth'

export const authRouter = router({
  /** The signed-in user, or null: the web app asks this first. */
  me: publicProcedure.query(({ ctx }) => ctx.user),
  signIn: publicProcedure
    .input(signInSchema)
    .mutation(async ({ ctx, input }) => {
      if (!ctx.session) throw new AppError('BAD_REQUEST', 'Sign-in sets a browser cookie; scripts use an API token instead.')
      const result = await ctx.services.auth.signIn({ ...input, ip: ctx.session.ip, userAgent: ctx.session.userAgent })
      ctx.session.setSession(result.sessionSecret, result.expiresAt)
      return result.user
    }),
  signOut: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.session?.sessionSecret) await ctx.services.auth.signOut(ctx.session.sessionSecret)
    ctx.session?.clearSession()
    return { signedOut: true }
  }),
  changePassword: authedProcedure
    .input(changePasswordSchema)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.auth.changePassword(ctx.user.id, input.currentPassword, input.newPassword, ctx.session?.sessionSecret ?? null)
      return { changed: true }
    }),
})
