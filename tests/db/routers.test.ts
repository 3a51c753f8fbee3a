import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AuthService } from '../../server/services/auth/auth.service'
import { ProjectService } from '../../server/services/projects/projects.service'
import { AssetService } from '../../server/services/assets/assets.service'
import { JobQueue } from '../../server/jobs/queue'
import { DataLayout } from '../../server/storage/paths'
import { createCallerFactory } from '../../server/trpc/init'
import { createContextInner, type Services } from '../../server/trpc/context'
import { appRouter } from '../../server/trpc/routers'
import { BACKENDS, freshDatabase } from './harness'

const createCaller = createCallerFactory(appRouter)

describe.each(BACKENDS)('routers on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let services: Services
  let dir: string
  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    dir = await mkdtemp(join(tmpdir(), 'lattice-routers-'))
    const queue = new JobQueue(ctx.db, [], { worker: false })
    services = { db: ctx.db, auth: new AuthService(ctx.db), projects: new ProjectService(ctx.db), assets: new AssetService(ctx.db, new DataLayout(dir), queue, 1024), queue, version: 'test' }
  })
  afterAll(async () => { await ctx?.dispose(); await rm(dir, { recursive: true, force: true }) })

  it('answers system.health without sign-in and refuses everything else', async () => {
    const anonymous = createCaller(createContextInner(services, null))
    expect(await anonymous.system.health()).toEqual({ status: 'ok', version: 'test', database: { kind: backend, ok: true } })
    await expect(anonymous.projects.list({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    await expect(anonymous.tokens.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
  })

  it('maps service errors to tRPC codes with messages that say what to do', async () => {
    const user = await services.auth.createUser({ email: 'r@example.com', password: 'password-r' })
    const caller = createCaller(createContextInner(services, user))
    const created = await caller.projects.create({ name: 'Router shot', width: 512, height: 512 })
    await caller.projects.save({ id: created.id, revision: 1, document: (await caller.projects.get({ id: created.id })).document })
    await expect(caller.projects.save({ id: created.id, revision: 1, document: (await caller.projects.get({ id: created.id })).document }))
      .rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('Reload it') })
    await expect(caller.projects.get({ id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(caller.projects.get({ id: '../../etc/passwd' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await expect(caller.projects.create({ name: 'Odd', width: 1001 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/multiple of 8/i) })
    const { items } = await caller.projects.list({})
    expect(items.map((p) => p.name)).toEqual(['Router shot'])
  })
})
