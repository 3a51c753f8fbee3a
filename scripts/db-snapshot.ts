// Called by `nuxt build` (nuxt.config.ts): the database snapshot beside the built server, from
// the same migrations the server bundles (see server/db/snapshot.ts).
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadMigrationsFromDir } from '../server/db/migrate'
import { BUILD_SNAPSHOT_DIR } from '../server/db/snapshot'
import { makeSnapshot } from '../server/db/snapshot-make'

export async function writeBuildSnapshot(serverDir: string): Promise<void> {
  const started = performance.now()
  const migrations = await loadMigrationsFromDir(fileURLToPath(new URL('../prisma/migrations', import.meta.url)))
  const manifest = await makeSnapshot(join(serverDir, BUILD_SNAPSHOT_DIR), migrations)
  console.info(`[lattice] database snapshot with ${manifest.migrations.length} migrations (PGlite ${manifest.pglite}) in ${Math.round(performance.now() - started)} ms`)
}
