import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations, loadMigrationsFromDir } from '../../server/db/migrate'
import { BACKENDS, freshDatabase } from './harness'

describe.each(BACKENDS)('migrations on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  beforeAll(async () => { ctx = await freshDatabase(backend) })
  afterAll(async () => ctx?.dispose())

  it('records every migration in _prisma_migrations and applies nothing twice', async () => {
    const migrations = await loadMigrationsFromDir('prisma/migrations')
    const again = await applyMigrations(ctx.db.sql, migrations)
    expect(again.applied).toEqual([])
    const { rows } = await ctx.db.sql.query<{ migration_name: string; checksum: string }>('SELECT migration_name, checksum FROM "_prisma_migrations"')
    expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name))
    expect(rows[0]!.checksum).toMatch(/^[a-f0-9]{64}$/)
  })

  it('rolls back a failing migration whole, leaving no bookkeeping row', async () => {
    const bad = { name: '99999999999999_bad', sql: 'CREATE TABLE "Half" (id int); SELECT * FROM "NoSuchTable";' }
    await expect(applyMigrations(ctx.db.sql, [bad])).rejects.toThrow(/99999999999999_bad failed and was rolled back/)
    const { rows } = await ctx.db.sql.query("SELECT to_regclass('\"Half\"') AS t")
    expect(rows[0]).toEqual({ t: null })
    const book = await ctx.db.sql.query('SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1', [bad.name])
    expect(book.rows).toHaveLength(0)
  })
})
