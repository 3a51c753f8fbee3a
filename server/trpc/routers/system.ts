import { publicProcedure, router } from '../init'
import { readHealth } from '../../services/system/health'

export const systemRouter = router({
  /** The one procedure that needs no sign-in: for load balancers and container health checks. */
  health: publicProcedure.query(({ ctx }) => readHealth(ctx.services)),
})
