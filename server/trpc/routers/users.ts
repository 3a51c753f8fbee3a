import { adminProcedure, router } from '../init'
import { userCreateSchema } from '../../../shared/schemas/auth'

export const usersRouter = router({
  list: adminProcedure.query(({ ctx }) => ctx.services.auth.listUsers()),
  create: adminProcedure.input(userCreateSchema).mutation(({ ctx, input }) => ctx.services.auth.createUser(input)),
})
