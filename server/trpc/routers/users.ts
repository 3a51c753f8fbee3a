import { TRPCError } from '@trpc/server'
import { z } from 'zod'
import { authedProcedure, router } from '../init'
import { MIN_PASSWORD_LENGTH } from '../../services/auth/passwords'

const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an admin can manage users; ask yours.' })
  return next()
})

export const usersRouter = router({
  list: adminProcedure.query(({ ctx }) => ctx.services.auth.listUsers()),
  create: adminProcedure
    .input(z.object({
      email: z.email('Enter a valid email address.'),
      name: z.string().trim().min(1).max(100).optional(),
      password: z.string().min(MIN_PASSWORD_LENGTH, `Passwords have at least ${MIN_PASSWORD_LENGTH} characters.`).max(200),
      role: z.enum(['admin', 'user']).default('user'),
    }))
    .mutation(({ ctx, input }) => ctx.services.auth.createUser(input)),
})
