import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AuthService } from '../../server/services/auth/auth.service'
import { ProjectService } from '../../server/services/projects/projects.service'
import { JobService } from '../../server/services/jobs/jobs.service'
import { createCallerFactory } from '../../server/trpc/init'
import { createContextInner, type Services } from '../../server/trpc/context'
import { appRouter } from '../../server/trpc/routers'
import type { ComfyStandIn } from '../comfy/stand-in/server'
import { freshDatabase, type Backend } from './harness'
import { startLattice, startStandIn, type Lattice } from './generations-harness'

export const createCaller = createCallerFactory(appRouter)
export type Caller = ReturnType<typeof createCaller>

/**
 * The routers over a running generation service on a fresh database, a ComfyUI stand-in (not yet
 * registered as a server), and callers for an admin and two users.
 */
export async function startComfyRouters(backend: Backend): Promise<{ lattice: Lattice; gpu: ComfyStandIn; admin: Caller; user: Caller; other: Caller; dispose(): Promise<void> }> {
  const ctx = await freshDatabase(backend)
  const dir = await mkdtemp(join(tmpdir(), 'lattice-comfy-router-'))
  const lattice = await startLattice(ctx.db, dir)
  const gpu = await startStandIn()
  const auth = new AuthService(ctx.db)
  const services: Services = { db: ctx.db, auth, projects: new ProjectService(ctx.db), assets: lattice.assets, queue: lattice.queue, jobs: new JobService(ctx.db, lattice.queue), generations: lattice.service, comfyServers: lattice.servers, workflows: lattice.workflows, version: 'test' }
  const caller = async (email: string, role?: 'admin') => createCaller(createContextInner(services, await auth.createUser({ email, password: 'password-x', role })))
  return {
    lattice, gpu,
    admin: await caller('admin@example.com', 'admin'),
    user: await caller('user@example.com'),
    other: await caller('other@example.com'),
    async dispose() {
      await lattice.stop()
      await gpu.stop()
      await ctx.dispose()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
