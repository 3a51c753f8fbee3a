import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { loadMigrationsFromDir } from '../../server/db/migrate'
import { BUILD_SNAPSHOT_DIR, SNAPSHOT_MANIFEST, type SnapshotManifest } from '../../server/db/snapshot'
import { BOOTSTRAP_TOKEN, SERVER_ENTRY, startServer } from './server'

/** A new data folder starts from the database snapshot `nuxt build` leaves beside the server. */
describe('the built server on a new data folder', () => {
  let work: string
  beforeAll(async () => { work = await mkdtemp(join(tmpdir(), 'lattice-e2e-startup-')) })
  afterAll(async () => rm(work, { recursive: true, force: true }))

  it('ships a snapshot of every migration in prisma/migrations', async () => {
    const manifest = JSON.parse(await readFile(join(dirname(SERVER_ENTRY), BUILD_SNAPSHOT_DIR, SNAPSHOT_MANIFEST), 'utf8')) as SnapshotManifest
    const migrations = await loadMigrationsFromDir('prisma/migrations')
    expect(manifest.migrations.map((m) => m.name)).toEqual(migrations.map((m) => m.name))
  })

  it('starts from the snapshot with the admin and token bootstrapped, then restarts on its own database', async () => {
    const dataDir = join(work, 'data')
    const first = await startServer({ dataDir })
    try {
      expect(first.output()).toContain("new database from the build's snapshot")
      expect(first.output()).not.toContain('applied migrations')
      expect(first.output()).toContain('created admin')
      const client = createLatticeClient({ url: first.url, token: BOOTSTRAP_TOKEN })
      expect(await client.api.system.health.query()).toMatchObject({ status: 'ok', database: { kind: 'pglite', ok: true } })
      const project = await client.api.projects.create.mutate({ name: 'From the snapshot' })
      expect(await first.stop()).toBe(0)

      const second = await startServer({ dataDir })
      try {
        expect(second.output()).not.toContain('snapshot')
        const again = createLatticeClient({ url: second.url, token: BOOTSTRAP_TOKEN })
        expect((await again.api.projects.get.query({ id: project.id })).name).toBe('From the snapshot')
      } finally {
        await second.stop()
      }
    } finally {
      await first.stop()
    }
  })
})
