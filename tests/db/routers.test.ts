import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AuthService } from '../../server/services/auth/auth.service'
import { ProjectService } from '../../server/services/projects/projects.service'
import { JobService } from '../../server/services/jobs/jobs.service'
import { AssetService } from '../../server/services/assets/assets.service'
import { JobQueue } from '../../server/jobs/queue'
import { DataLayout } from '../../server/storage/paths'
import { createCallerFactory } from '../../server/trpc/init'
import { createContextInner, type Services } from '../../server/trpc/context'
import { appRouter } from '../../server/trpc/routers'
import { BACKENDS, freshDatabase, type Backend } from './harness'

const createCaller = createCallerFactory(appRouter)

/** The services the routers use, on a fresh database and data folder, with a queue that runs nothing. */
async function routerServices(backend: Backend): Promise<{ services: Services; dispose(): Promise<void> }> {
  const ctx = await freshDatabase(backend)
  const dir = await mkdtemp(join(tmpdir(), 'lattice-routers-'))
  const queue = new JobQueue(ctx.db, [], { worker: false })
  const services: Services = { db: ctx.db, auth: new AuthService(ctx.db), projects: new ProjectService(ctx.db), assets: new AssetService(ctx.db, new DataLayout(dir), queue, 1024), queue, jobs: new JobService(ctx.db, queue), version: 'test' }
  return { services, dispose: async () => { await ctx.dispose(); await rm(dir, { recursive: true, force: true }) } }
}

describe.each(BACKENDS)('routers on %s', (backend) => {
  let services: Services
  let dispose: () => Promise<void>
  beforeAll(async () => { ({ services, dispose } = await routerServices(backend)) })
  afterAll(async () => { await dispose?.() })

  it('answers system.health without sign-in and refuses everything else', async () => {
    const anonymous = createCaller(createContextInner(services, null))
    expect(await anonymous.system.health()).toEqual({ status: 'ok', version: 'test', database: { kind: backend, ok: true }, maxUploadBytes: 1024, ai: null })
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

  it('refuses admin work to users with a sentence naming it, and says when a service is absent from the process', async () => {
    const user = await services.auth.createUser({ email: 'plain@example.com', password: 'password-p' })
    const caller = createCaller(createContextInner(services, user))
    await expect(caller.users.list()).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'Only an admin can manage users; ask yours.' })
    await expect(caller.comfy.servers.resume()).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'Only an admin can change ComfyUI servers; ask yours.' })
    await expect(caller.ai.models.download({ id: 'isnet-general' })).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'Only an admin can install or remove models; ask yours.' })
    // These services are not part of this process: a 503 that says so, never a 500.
    await expect(caller.export.list({})).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: 'Exports are not available in this process.' })
    await expect(caller.ai.models.list()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: 'AI tasks are not available in this process.' })
    await expect(caller.comfy.generations.list({})).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: 'Generations are not available in this process.' })
  })
})

describe.each(BACKENDS)('auth, users and project files through the routers on %s', (backend) => {
  let services: Services
  let dispose: () => Promise<void>
  beforeAll(async () => { ({ services, dispose } = await routerServices(backend)) })
  afterAll(async () => { await dispose?.() })

  function transport(sessionSecret: string | null = null) {
    const cookies: string[] = []
    return {
      cookies,
      session: { ip: '203.0.113.9', sessionSecret, setSession: (s: string) => { cookies.push(s) }, clearSession: () => { cookies.push('') } },
    }
  }

  it('signs in through a session transport, refuses wrong passwords, and signs out', async () => {
    await services.auth.createUser({ email: 'admin@example.com', password: 'password-a', role: 'admin' })
    const t = transport()
    const anonymous = createCaller(createContextInner(services, null, t.session))
    await expect(anonymous.auth.signIn({ email: 'admin@example.com', password: 'wrong-one' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(t.cookies).toEqual([])
    const user = await anonymous.auth.signIn({ email: 'ADMIN@example.com ', password: 'password-a' })
    expect(user.email).toBe('admin@example.com')
    const secret = t.cookies[0]!
    expect(await services.auth.userForSession(secret)).toMatchObject({ id: user.id })
    const signedIn = createCaller(createContextInner(services, user, transport(secret).session))
    await signedIn.auth.signOut()
    expect(await services.auth.userForSession(secret)).toBeNull()
    // In-process callers have no cookie to set.
    await expect(createCaller(createContextInner(services, null)).auth.signIn({ email: 'admin@example.com', password: 'password-a' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })

  it('changes a password, ending the other sessions but keeping this one', async () => {
    const user = await services.auth.createUser({ email: 'pw@example.com', password: 'password-1' })
    const here = (await services.auth.signIn({ email: 'pw@example.com', password: 'password-1', ip: '1' })).sessionSecret
    const elsewhere = (await services.auth.signIn({ email: 'pw@example.com', password: 'password-1', ip: '2' })).sessionSecret
    const caller = createCaller(createContextInner(services, user, transport(here).session))
    await expect(caller.auth.changePassword({ currentPassword: 'not-it-at-all', newPassword: 'password-2' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await caller.auth.changePassword({ currentPassword: 'password-1', newPassword: 'password-2' })
    expect(await services.auth.userForSession(here)).not.toBeNull()
    expect(await services.auth.userForSession(elsewhere)).toBeNull()
    await expect(services.auth.signIn({ email: 'pw@example.com', password: 'password-1', ip: '3' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
  })

  it('lets only admins manage users', async () => {
    const admin = (await services.auth.listUsers()).find((u) => u.role === 'admin')!
    const created = await createCaller(createContextInner(services, admin)).users.create({ email: 'new@example.com', password: 'password-n' })
    expect(created.role).toBe('user')
    await expect(createCaller(createContextInner(services, created)).users.list()).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(createCaller(createContextInner(services, admin)).users.create({ email: 'new@example.com', password: 'password-n' })).rejects.toMatchObject({ code: 'CONFLICT' })
  })

  it('exports a project file and imports it as a new project; other users cannot export it', async () => {
    const owner = await services.auth.createUser({ email: 'files@example.com', password: 'password-f' })
    const caller = createCaller(createContextInner(services, owner))
    const created = await caller.projects.create({ name: 'Exported', width: 640, height: 360 })
    const file = await caller.projects.export({ id: created.id })
    const imported = await caller.projects.import({ file: JSON.parse(JSON.stringify(file)) })
    expect(imported).toMatchObject({ name: 'Exported', source: 'lattice-file', warnings: [] })
    expect((await caller.projects.get({ id: imported.id })).document).toEqual((await caller.projects.get({ id: created.id })).document)
    const stranger = createCaller(createContextInner(services, await services.auth.createUser({ email: 's@example.com', password: 'password-s' })))
    await expect(stranger.projects.export({ id: created.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(caller.projects.import({ file: [1, 2, 3] })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/not a project/) })
  })
})
