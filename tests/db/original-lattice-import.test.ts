import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthService } from '../../server/services/auth/auth.service'
import { ProjectService } from '../../server/services/projects/projects.service'
import { createCallerFactory } from '../../server/trpc/init'
import { createContextInner, type Services } from '../../server/trpc/context'
import { appRouter } from '../../server/trpc/routers'
import { BACKENDS, freshDatabase } from './harness'

const createCaller = createCallerFactory(appRouter)

/** A project file the original Lattice wrote; the fixtures' README names the source of each. */
const original = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../unit/project/fixtures/original-lattice/${name}`, import.meta.url), 'utf8'))

const FIXTURES = [
  { file: '1.0.0-single-composition.json', compositions: 1, mainLayers: 5 },
  { file: '1.0.0-precomp.json', compositions: 2, mainLayers: 5 },
  { file: '1.0.0-nested-comp.json', compositions: 2, mainLayers: 5 },
  { file: '1.0.0-start-frame.json', compositions: 2, mainLayers: 8 },
  { file: '1.0.0-schema-2.json', compositions: 2, mainLayers: 8 },
]

describe.each(BACKENDS)('projects.import of original Lattice files on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let caller: ReturnType<typeof createCaller>
  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    const auth = new AuthService(ctx.db)
    const user = await auth.createUser({ email: 'importer@example.com', password: 'password-i' })
    // Only the database-backed services are used by projects.import.
    const services = { db: ctx.db, auth, projects: new ProjectService(ctx.db) } as unknown as Services
    caller = createCaller(createContextInner(services, user))
  })
  afterAll(async () => ctx?.dispose())

  it.each(FIXTURES)('creates a project from $file', async ({ file, compositions, mainLayers }) => {
    const imported = await caller.projects.import({ file: original(file) })
    expect(imported).toMatchObject({ name: 'Untitled', source: 'legacy', revision: 1 })
    const stored = await caller.projects.get({ id: imported.id })
    expect(Object.keys(stored.document.compositions)).toHaveLength(compositions)
    expect(stored.document.compositions[stored.document.mainCompositionId]?.layers).toHaveLength(mainLayers)
  })

  it('keeps what the newest shape says over its stale aliases once stored', async () => {
    const imported = await caller.projects.import({ file: original('1.0.0-schema-2.json'), name: 'Spot' })
    const stored = await caller.projects.get({ id: imported.id })
    expect(stored.name).toBe('Spot')
    const split = stored.document.compositions.main?.layers.filter((l) => l.name.startsWith('Solid 4'))
    expect(split?.map((l) => [l.inPoint, l.outPoint])).toEqual([[0, 41], [40, 81]])
    expect(imported.warnings).toEqual([
      'Layer "Camera 1" (camera) in composition "Main Comp": the file holds no settings for this camera (the original kept them outside the project); using a default camera.',
    ])
  })

  it('answers BAD_REQUEST with a sentence for original files it cannot read', async () => {
    await expect(caller.projects.import({ file: { ...original('1.0.0-schema-2.json'), schemaVersion: 7 } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^This original Lattice project has "schemaVersion": 7, which the original app never wrote/),
    })
    await expect(caller.projects.import({ file: { ...original('1.0.0-precomp.json'), version: '0.3' } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Original Lattice project version "0.3" is not supported; only 1.x projects can be imported.',
    })
  })
})
