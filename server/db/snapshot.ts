import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { readdir, readFile, rename, rm, rmdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DatabaseConfig } from './config'
import { migrationChecksum, type Migration } from './migrate'
import { extractTarGz } from './tar'

/**
 * A database snapshot: an embedded database folder made by `nuxt build` (initdb run, migrations
 * applied), so that a new data folder starts by unpacking it instead of running initdb. initdb
 * takes seconds and runs in a second PGlite instance whose hundreds of MB stay resident after it.
 *
 *   <dir>/manifest.json    SnapshotManifest
 *   <dir>/pgdata.tar.gz    the database folder, as PGlite's dumpDataDir writes it
 */
export interface SnapshotManifest {
  /** The PGlite that wrote it; the data folder format belongs to PGlite's PostgreSQL build. */
  pglite: string
  /** The migrations applied in it, in order, with the checksums `_prisma_migrations` records. */
  migrations: { name: string; checksum: string }[]
}

/** Where `nuxt build` puts the snapshot: beside the server entry, in .output/server. */
export const BUILD_SNAPSHOT_DIR = 'db-snapshot'
export const SNAPSHOT_MANIFEST = 'manifest.json'
export const SNAPSHOT_DATA = 'pgdata.tar.gz'

/**
 * Why the snapshot cannot start a database for `migrations`, or null when it can. Its migrations
 * must be the first ones of `migrations`, unchanged: the rest are applied after it as usual, and a
 * snapshot with a migration this code does not have (or a changed one) would never be undone.
 */
export function snapshotMismatch(manifest: SnapshotManifest, migrations: Migration[], pgliteVersion: string | null): string | null {
  if (manifest.pglite !== pgliteVersion) return `it was made by PGlite ${manifest.pglite}, this is ${pgliteVersion ?? 'unknown'}`
  for (const [i, made] of manifest.migrations.entries()) {
    const ours = migrations[i]
    if (!ours || ours.name !== made.name) return `it has migration ${made.name}, which is not the next one here`
    if (migrationChecksum(ours) !== made.checksum) return `its migration ${made.name} differs from this one`
  }
  return null
}

/**
 * Starts a new embedded database from `config.snapshot` when the data folder is new (missing or
 * empty) and the snapshot fits `migrations`. Unpacks into a temporary folder renamed into place,
 * so an interrupted start leaves no half database. Otherwise does nothing (false) and PGlite
 * runs initdb when it opens the folder.
 */
export async function seedDatabase(config: DatabaseConfig, migrations: Migration[]): Promise<boolean> {
  if (config.kind !== 'pglite' || !config.snapshot) return false
  if (!(await isNewFolder(config.dataDir))) return false
  const manifest = await readManifest(config.snapshot)
  if (!manifest) return false
  const mismatch = snapshotMismatch(manifest, migrations, installedPGliteVersion())
  if (mismatch) {
    console.info(`[db] not starting from the build's database snapshot (${mismatch}); creating the database instead.`)
    return false
  }
  // An empty data folder gives way to the unpacked one; one that cannot (a mount point) gets initdb.
  if (!(await removeEmptyFolder(config.dataDir))) return false
  await removeInterruptedSeeds(config.dataDir)
  const staging = `${config.dataDir}${STAGING}${randomBytes(4).toString('hex')}`
  try {
    await extractTarGz(join(config.snapshot, SNAPSHOT_DATA), staging)
    await rename(staging, config.dataDir)
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
  console.info(`[db] new database from the build's snapshot (${manifest.migrations.length} migrations applied in it)`)
  return true
}

/** Beside the data folder while it is unpacked; a process killed meanwhile leaves one behind. */
const STAGING = '.unpacking-'

async function removeInterruptedSeeds(dataDir: string): Promise<void> {
  const prefix = `${basename(dataDir)}${STAGING}`
  const siblings = await readdir(dirname(dataDir)).catch(() => [])
  for (const name of siblings.filter((n) => n.startsWith(prefix))) await rm(join(dirname(dataDir), name), { recursive: true, force: true })
}

async function removeEmptyFolder(dir: string): Promise<boolean> {
  try {
    await rmdir(dir)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
  }
}

async function isNewFolder(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
  return entries.length === 0
}

async function readManifest(dir: string): Promise<SnapshotManifest | null> {
  const text = await readFile(join(dir, SNAPSHOT_MANIFEST), 'utf8').catch(() => null)
  return text === null ? null : JSON.parse(text) as SnapshotManifest
}

/**
 * The version of the PGlite this process loads. Found as Node would find the package: from this
 * module's folder upwards (in the built server, import.meta.url is the server entry's).
 */
export function installedPGliteVersion(from = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules/@electric-sql/pglite/package.json')
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
    if (dirname(dir) === dir) return null
  }
}
