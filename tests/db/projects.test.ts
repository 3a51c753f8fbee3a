import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthService } from '../../server/services/auth/auth.service'
import { ProjectService } from '../../server/services/projects/projects.service'
import { BACKENDS, freshDatabase } from './harness'

describe.each(BACKENDS)('projects on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let projects: ProjectService
  let alice: string
  let bob: string
  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    const auth = new AuthService(ctx.db)
    alice = (await auth.createUser({ email: 'alice@example.com', password: 'password-a' })).id
    bob = (await auth.createUser({ email: 'bob@example.com', password: 'password-b' })).id
    projects = new ProjectService(ctx.db)
  })
  afterAll(async () => ctx?.dispose())

  it('saves optimistically: a stale revision is a CONFLICT and overwrites nothing', async () => {
    const created = await projects.create(alice, { name: 'Shot 1', width: 640, height: 360 })
    const loaded = await projects.get(alice, created.id)
    const edited = structuredClone(loaded.document)
    edited.compositions[edited.mainCompositionId]!.name = 'Edited'
    expect(await projects.save(alice, { id: created.id, revision: loaded.revision, document: edited })).toMatchObject({ revision: loaded.revision + 1 })
    const stale = structuredClone(loaded.document)
    stale.compositions[stale.mainCompositionId]!.name = 'Stale'
    await expect(projects.save(alice, { id: created.id, revision: loaded.revision, document: stale })).rejects.toMatchObject({ code: 'CONFLICT' })
    const after = await projects.get(alice, created.id)
    expect(after.document.compositions[after.document.mainCompositionId]!.name).toBe('Edited')
  })

  it('refuses malformed documents with a message naming the path', async () => {
    const created = await projects.create(alice, { name: 'Shot 2' })
    await expect(projects.save(alice, { id: created.id, revision: 1, document: { schemaVersion: 2, compositions: 'nope' } })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    expect((await projects.get(alice, created.id)).revision).toBe(1)
  })

  it('lists only the owner\'s projects, newest first, with search, trash and restore', async () => {
    await projects.create(alice, { name: 'Beach' })
    const other = await projects.create(bob, { name: 'Bob only' })
    await expect(projects.get(alice, other.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const list = await projects.list(alice, {})
    expect(list.items.map((p) => p.name)).toEqual(['Beach', 'Shot 2', 'Shot 1'])
    expect((await projects.list(alice, { search: 'bea' })).items.map((p) => p.name)).toEqual(['Beach'])
    const page1 = await projects.list(alice, { limit: 2 })
    const page2 = await projects.list(alice, { limit: 2, cursor: page1.nextCursor! })
    expect([...page1.items, ...page2.items].map((p) => p.name)).toEqual(['Beach', 'Shot 2', 'Shot 1'])
    const beach = list.items[0]!
    await projects.delete(alice, beach.id)
    expect((await projects.list(alice, {})).items.map((p) => p.name)).not.toContain('Beach')
    expect((await projects.list(alice, { trashed: true })).items.map((p) => p.name)).toEqual(['Beach'])
    await projects.restore(alice, beach.id)
    expect((await projects.list(alice, {})).items.map((p) => p.name)).toContain('Beach')
    const copy = await projects.duplicate(alice, beach.id)
    expect(copy.name).toBe('Beach copy')
  })
})
