import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDatabase, type Database } from '../../server/db/connect'
import { applyMigrations, loadMigrationsFromDir, type Migration } from '../../server/db/migrate'

export const BACKENDS = ['pglite', 'postgres'] as const
export type Backend = (typeof BACKENDS)[number]
const ADMIN_URL = process.env.LATTICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/**
 * A fresh, migrated database: a new PGlite folder, or a new database on the PostgreSQL server.
 * `migrations`: only these (an older version's schema), instead of all of them.
 */
export async function freshDatabase(backend: Backend, only?: Migration[]): Promise<{ db: Database; url?: string; dispose(): Promise<void> }> {
  const migrations = only ?? await loadMigrationsFromDir('prisma/migrations')
  if (backend === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'lattice-db-'))
    const db = await openDatabase({ kind: 'pglite', dataDir: dir })
    await applyMigrations(db.sql, migrations)
    return { db, dispose: async () => { await db.close(); await rm(dir, { recursive: true, force: true }) } }
  }
  const name = `lattice_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  const db = await openDatabase({ kind: 'postgres', url: url.toString() })
  await applyMigrations(db.sql, migrations)
  return {
    db,
    url: url.toString(),
    dispose: async () => {
      await db.close()
      const c = new pg.Client({ connectionString: ADMIN_URL })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await c.end()
    },
  }
}
