import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthService } from '../../server/services/auth/auth.service'
import { ProjectService } from '../../server/services/projects/projects.service'
import { LIMITS } from '../../shared/limits'
import { projectDocumentSchema } from '../../shared/project'
import { richDocument } from '../unit/project/documents'
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

  it('stores the validated document as JSON text that opens as it is, with the same dates lists show', async () => {
    const created = await projects.create(alice, { name: 'Stored as text' })
    const document = projectDocumentSchema.parse(richDocument())
    await projects.save(alice, { id: created.id, revision: 1, document: richDocument() })
    const { rows } = await ctx.db.sql.query<{ document: string; documentSize: number }>('SELECT document, "documentSize" FROM "Project" WHERE id = $1', [created.id])
    expect(rows[0]!.document.startsWith('{"schemaVersion":2,')).toBe(true)
    expect(JSON.parse(rows[0]!.document)).toEqual(document)
    expect(rows[0]!.documentSize).toBe(Buffer.byteLength(rows[0]!.document))
    const opened = await projects.open(alice, created.id)
    expect(opened.documentJson).toBe(rows[0]!.document)
    expect(opened.revision).toBe(2)
    const listed = (await projects.list(alice, { search: 'Stored as text' })).items[0]!
    expect(opened.createdAt).toEqual(listed.createdAt)
    expect(opened.updatedAt).toEqual(listed.updatedAt)
    expect(opened.createdAt).toEqual(created.createdAt)
    expect(Math.abs(opened.updatedAt.getTime() - Date.now())).toBeLessThan(60_000)
  })

  it('opens stored text in another form (older versions, rows converted from JSONB) through the migrations', async () => {
    const created = await projects.create(alice, { name: 'Old format', width: 640, height: 360 })
    const v1 = { compositions: { main: { id: 'main', width: 640, height: 360, fps: 24, frameCount: 10, background: '#112233', layers: [] } }, schemaVersion: 1, mainCompositionId: 'main' }
    await ctx.db.sql.query('UPDATE "Project" SET document = $1 WHERE id = $2', [JSON.stringify(v1, null, 1), created.id])
    const opened = await projects.get(alice, created.id)
    expect(opened.migratedFrom).toBe(1)
    expect(opened.document.compositions.main!.backgroundColor).toBe('#112233')
    const current = { ...opened.document }
    await ctx.db.sql.query('UPDATE "Project" SET document = $1 WHERE id = $2', [JSON.stringify({ mainCompositionId: current.mainCompositionId, compositions: current.compositions, schemaVersion: 2 }), created.id])
    expect(await projects.get(alice, created.id)).toMatchObject({ migratedFrom: null, document: opened.document })
  })

  it('references owned assets in the same transaction and reports the others as missing', async () => {
    const asset = await ctx.db.prisma.asset.create({ data: { ownerId: alice, name: 'logo.png', kind: 'image', mime: 'image/png', size: 10n, hash: 'h', status: 'ready' } })
    const foreign = randomUUID()
    const document = projectDocumentSchema.parse(richDocument())
    const main = document.compositions.main!
    main.layers = main.layers.map((layer) => (layer.kind === 'image' ? { ...layer, data: { assetId: asset.id } } : layer.kind === 'video' ? { ...layer, data: { ...layer.data, assetId: foreign } } : layer))
    const created = await projects.create(alice, { name: 'With media' })
    const saved = await projects.save(alice, { id: created.id, revision: 1, document })
    expect(saved.missingAssetIds).toContain(foreign)
    expect(saved.missingAssetIds).not.toContain(asset.id)
    const refs = await ctx.db.prisma.projectAssetRef.findMany({ where: { projectId: created.id } })
    expect(refs.map((ref) => ref.assetId)).toEqual([asset.id])
    // A refused save changes neither the document nor the references.
    await expect(projects.save(alice, { id: created.id, revision: 1, document: projectDocumentSchema.parse(richDocument()) })).rejects.toMatchObject({ code: 'CONFLICT' })
    expect(await ctx.db.prisma.projectAssetRef.count({ where: { projectId: created.id } })).toBe(1)
    expect((await projects.get(alice, created.id)).revision).toBe(2)
  })

  it('refuses a document over the size limit, in canonical form or not', async () => {
    const created = await projects.create(alice, { name: 'Too big' })
    const huge = projectDocumentSchema.parse(richDocument())
    const title = huge.compositions.main!.layers.find((layer) => layer.kind === 'text')!
    if (title.kind === 'text') title.data.text = 'x'.repeat(LIMITS.maxDocumentBytes)
    await expect(projects.save(alice, { id: created.id, revision: 1, document: huge })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' })
    const raw = richDocument() as { compositions: Record<string, { layers: { data?: { text?: string } }[] }> }
    raw.compositions.main!.layers[2]!.data!.text = 'x'.repeat(LIMITS.maxDocumentBytes)
    await expect(projects.save(alice, { id: created.id, revision: 1, document: raw })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' })
    expect((await projects.get(alice, created.id)).revision).toBe(1)
  })

  it('stores the text a document was sent as only when it is canonical and in stored form', async () => {
    const created = await projects.create(alice, { name: 'Sent as text' })
    const storedText = async () => (await ctx.db.sql.query<{ document: string }>('SELECT document FROM "Project" WHERE id = $1', [created.id])).rows[0]!.document
    const canonical = projectDocumentSchema.parse(richDocument())
    const sent = JSON.stringify(canonical)
    await projects.save(alice, { id: created.id, revision: 1, document: JSON.parse(sent), documentJson: sent })
    expect(await storedText()).toBe(sent)
    // Not in stored form (schemaVersion last): serialised again.
    const reordered = JSON.stringify({ compositions: canonical.compositions, mainCompositionId: canonical.mainCompositionId, schemaVersion: 2 })
    await projects.save(alice, { id: created.id, revision: 2, document: JSON.parse(reordered), documentJson: reordered })
    expect(await storedText()).toBe(sent)
    // Missing defaults: what is stored is the validated document, not the text sent.
    const partial = JSON.stringify(richDocument())
    await projects.save(alice, { id: created.id, revision: 3, document: JSON.parse(partial), documentJson: partial })
    expect(JSON.parse(await storedText())).toEqual(canonical)
    expect(await storedText()).not.toBe(partial)
  })
})
