import { router } from '../init'
import { aiRouter } from './ai'
import { assetsRouter } from './assets'
import { authRouter } from './auth'
import { comfyRouter } from './comfy'
import { exportRouter } from './export'
import { jobsRouter } from './jobs'
import { projectsRouter } from './projects'
import { systemRouter } from './system'
import { tokensRouter } from './tokens'
import { usersRouter } from './users'

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  users: usersRouter,
  projects: projectsRouter,
  assets: assetsRouter,
  jobs: jobsRouter,
  tokens: tokensRouter,
  comfy: comfyRouter,
  export: exportRouter,
  ai: aiRouter,
})

/** The type the typed client and the Pinia stores are built from. */
export type AppRouter = typeof appRouter
