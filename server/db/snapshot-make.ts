import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { applyMigrations, migrationChecksum, type Migration } from './migrate'
import { PGLITE_START_PARAMS } from './pglite-settings'
import { installedPGliteVersion, SNAPSHOT_DATA, SNAPSHOT_MANIFEST, type SnapshotManifest } from './snapshot'

/**
 * Writes a database snapshot to `dir` (see snapshot.ts): a new database in memory, `migrations`
 * applied with the same migrator the server runs, dumped with PGlite's own `dumpDataDir`.
 * Build time only (`nuxt build` calls it); the server never imports this module.
 */
export async function makeSnapshot(dir: string, migrations: Migration[]): Promise<SnapshotManifest> {
  const manifest: SnapshotManifest = {
    pglite: installedPGliteVersion() ?? 'unknown',
    migrations: migrations.map((m) => ({ name: m.name, checksum: migrationChecksum(m) })),
  }
  const pglite = await PGlite.create('memory://', { startParams: PGLITE_START_PARAMS })
  const staging = `${dir}.new`
  try {
    await applyMigrations({
      exec: async (text) => { await pglite.exec(text) },
      query: async (text, values) => ({ rows: (await pglite.query(text, values)).rows as never[] }),
    }, migrations)
    // The dump copies files; changed pages still in shared buffers must be written to them first.
    await pglite.exec('CHECKPOINT')
    const data = await pglite.dumpDataDir('gzip')
    await rm(staging, { recursive: true, force: true })
    await mkdir(staging, { recursive: true })
    await writeFile(`${staging}/${SNAPSHOT_DATA}`, new Uint8Array(await data.arrayBuffer()))
    await writeFile(`${staging}/${SNAPSHOT_MANIFEST}`, `${JSON.stringify(manifest, null, 2)}\n`)
    await rm(dir, { recursive: true, force: true })
    await rename(staging, dir)
  } finally {
    await pglite.close()
    await rm(staging, { recursive: true, force: true })
  }
  return manifest
}
