import { TRPCError } from '@trpc/server'
import { z } from 'zod'
import { authedProcedure, publicProcedure, router } from '../init'
import { MIN_PASSWORD_LENGTH } from '../../services/auth/passwords'

const password = z.string().min(MIN_PASSWORD_LENGTH, `Passwords have at least ${MIN_PASSWORD_LENGTH} characters.`).max(200)

export const authRouter = router({
  /** The signed-in user, or null: the web app asks this first. */
  me: publicProcedure.query(({ ctx }) => ctx.user),
  signIn: publicProcedure
    .input(z.object({ email: z.string().trim().min(1, 'Enter your email.').max(320), password: z.string().min(1, 'Enter your password.').max(200) }))
    .mutation(async ({ ctx, input }) => {
      if (!ctx.session) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Sign-in sets a browser cookie; scripts use an API token instead.' })
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
    .input(z.object({ currentPassword: z.string().min(1), newPassword: password }))
    .mutation(async ({ ctx, input }) => {
      await ctx.services.auth.changePassword(ctx.user.id, input.currentPassword, input.newPassword, ctx.session?.sessionSecret ?? null)
      return { changed: true }
    }),
})
