import { createHash, randomUUID } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SqlExecutor } from './sql'

export interface Migration {
  /** Folder name, e.g. `20261121170000_init`; applied in lexical order as Prisma does. */
  name: string
  sql: string
}

/** What `_prisma_migrations.checksum` records for a migration: the SHA-256 of its SQL, as Prisma does. */
export function migrationChecksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex')
}

/** Reads `prisma/migrations/<name>/migration.sql` folders. */
export async function loadMigrationsFromDir(dir: string): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()
  return Promise.all(names.map(async (name) => ({ name, sql: await readFile(join(dir, name, 'migration.sql'), 'utf8') })))
}

// Same table as Prisma Migrate keeps, so `prisma migrate deploy` and `migrate status` agree with us.
const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
);`

// Serialises concurrent starts of several app instances on one PostgreSQL server. A
// transaction-scoped lock, because a pool may run consecutive queries on different connections.
const LOCK = 'SELECT pg_advisory_xact_lock(72707369);'
const ALREADY_APPLIED = 'lattice: migration already applied'

export interface MigrationReport {
  applied: string[]
  alreadyApplied: number
}

/**
 * Applies pending migrations. Each runs as one multi-statement simple query, which PostgreSQL
 * executes as a single implicit transaction: a failing migration leaves neither half its changes
 * nor a bookkeeping row claiming it ran.
 */
export async function applyMigrations(sql: SqlExecutor, migrations: Migration[]): Promise<MigrationReport> {
  await sql.exec(LOCK + BOOKKEEPING)
  const { rows } = await sql.query<{ migration_name: string; checksum: string }>(
    'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  )
  const done = new Map(rows.map((r) => [r.migration_name, r.checksum]))
  const applied: string[] = []
  for (const migration of migrations) {
    const checksum = migrationChecksum(migration)
    const previous = done.get(migration.name)
    if (previous !== undefined) {
      if (previous !== checksum) {
        console.warn(`[db] migration ${migration.name} changed after it was applied; the database keeps the applied version.`)
      }
      continue
    }
    try {
      await sql.exec([LOCK, guardNotApplied(migration.name), migration.sql, ';', bookkeepingInsert(migration.name, checksum)].join('\n'))
      applied.push(migration.name)
    } catch (error) {
      // Another instance applied it while we waited for the lock.
      if ((error as Error).message.includes(ALREADY_APPLIED)) continue
      throw new Error(`Migration ${migration.name} failed and was rolled back: ${(error as Error).message}`)
    }
  }
  return { applied, alreadyApplied: done.size }
}

// Names and checksums come from our own files ([0-9a-z_] and hex); quotes are escaped anyway.
const quote = (s: string) => `'${s.replaceAll("'", "''")}'`

function guardNotApplied(name: string): string {
  return `DO $guard$ BEGIN
  IF EXISTS (SELECT 1 FROM "_prisma_migrations" WHERE migration_name = ${quote(name)} AND finished_at IS NOT NULL AND rolled_back_at IS NULL)
  THEN RAISE EXCEPTION '${ALREADY_APPLIED}'; END IF;
END $guard$;`
}

function bookkeepingInsert(name: string, checksum: string): string {
  return `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
VALUES (${quote(randomUUID())}, ${quote(checksum)}, ${quote(name)}, now(), now(), 1);`
}
