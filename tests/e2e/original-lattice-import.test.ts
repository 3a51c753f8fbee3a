import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient, type LatticeClient } from '../../client'
import { BOOTSTRAP_TOKEN, startServer, type RunningServer } from './server'

/** A project file the original Lattice wrote; the fixtures' README names the source of each. */
const original = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(`tests/unit/project/fixtures/original-lattice/${name}`, 'utf8'))

/** The built app importing original-Lattice files over real HTTP, as a script would. */
describe('importing original Lattice files into the built server', () => {
  let server: RunningServer
  let lattice: LatticeClient
  beforeAll(async () => {
    server = await startServer()
    lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
  })
  afterAll(async () => {
    await server?.dispose()
  })

  it('imports a file the original wrote with "schemaVersion": 2 as a new project', async () => {
    const imported = await lattice.api.projects.import.mutate({ file: await original('1.0.0-schema-2.json') })
    expect(imported).toMatchObject({ name: 'Untitled', source: 'legacy' })
    const { document } = await lattice.api.projects.get.query({ id: imported.id })
    expect(document.mainCompositionId).toBe('main')
    expect(document.compositions.main?.layers.map((l) => l.kind)).toEqual([
      'camera', 'adjustment', 'solid', 'solid', 'shape', 'null', 'text', 'nestedComposition',
    ])
  })

  it('imports the oldest, single-composition shape too', async () => {
    const imported = await lattice.api.projects.import.mutate({ file: await original('1.0.0-single-composition.json'), name: 'First shot' })
    const { name, document } = await lattice.api.projects.get.query({ id: imported.id })
    expect(name).toBe('First shot')
    expect(document.compositions.main).toMatchObject({ width: 1024, height: 1024 })
  })

  it('answers 400 with a sentence for an original file of a schema version the original never wrote', async () => {
    const file = { ...(await original('1.0.0-schema-2.json')), schemaVersion: 3 }
    await expect(lattice.api.projects.import.mutate({ file })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', httpStatus: 400 },
      message: expect.stringMatching(/never wrote .*save it again from an original Lattice that writes schemaVersion 2/),
    })
  })
})
