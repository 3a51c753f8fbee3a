import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { latticeConfigFromEnv } from '../../server/app/config'
import { startLattice } from '../../server/app/start'
import { openDatabase } from '../../server/db/connect'
import { applyMigrations, loadMigrationsFromDir, migrationChecksum, type Migration } from '../../server/db/migrate'
import { installedPGliteVersion, seedDatabase, snapshotMismatch, SNAPSHOT_MANIFEST, type SnapshotManifest } from '../../server/db/snapshot'
import { makeSnapshot } from '../../server/db/snapshot-make'

const ADMIN = { LATTICE_ADMIN_EMAIL: 'admin@example.com', LATTICE_ADMIN_PASSWORD: 'admin-password-1' }

describe('database snapshots (embedded database)', () => {
  let work: string
  let migrations: Migration[]
  /** Made with every migration, and with all but the newest (an older build's). */
  let current: string
  let older: string
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lattice-snapshot-'))
    migrations = await loadMigrationsFromDir('prisma/migrations')
    current = join(work, 'current')
    older = join(work, 'older')
    await makeSnapshot(current, migrations)
    await makeSnapshot(older, migrations.slice(0, -1))
  })
  afterAll(async () => rm(work, { recursive: true, force: true }))

  it('starts a new data folder with the migrations applied and the first admin created', async () => {
    const dataDir = join(work, 'fresh')
    const info = vi.spyOn(console, 'info')
    const lattice = await startLattice(latticeConfigFromEnv({ LATTICE_DATA_DIR: dataDir, ...ADMIN }, { dbSnapshot: current }), migrations, 'test')
    try {
      expect(info.mock.calls.flat().join('\n')).toContain("new database from the build's snapshot")
      expect(info.mock.calls.flat().join('\n')).not.toContain('applied migrations')
      const { rows } = await lattice.services.db.sql.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name')
      expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name))
      const users = await lattice.services.db.prisma.user.findMany({ select: { email: true, role: true } })
      expect(users).toEqual([{ email: ADMIN.LATTICE_ADMIN_EMAIL, role: 'admin' }])
    } finally {
      info.mockRestore()
      await lattice.stop()
    }
  })

  it('migrates a snapshot made for an older migration set forward', async () => {
    const config = { kind: 'pglite' as const, dataDir: join(work, 'from-older', 'db'), snapshot: older }
    expect(await seedDatabase(config, migrations)).toBe(true)
    const db = await openDatabase(config)
    try {
      const report = await applyMigrations(db.sql, migrations)
      expect(report).toEqual({ applied: [migrations.at(-1)!.name], alreadyApplied: migrations.length - 1 })
    } finally {
      await db.close()
    }
  })

  it('is not used when it holds a migration this code lacks, or one that changed', async () => {
    expect(await seedDatabase({ kind: 'pglite', dataDir: join(work, 'newer'), snapshot: current }, migrations.slice(0, -1))).toBe(false)
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited` } : m))
    expect(await seedDatabase({ kind: 'pglite', dataDir: join(work, 'edited'), snapshot: current }, edited)).toBe(false)
    expect(await readdir(work)).not.toContain('newer')
    expect(await readdir(work)).not.toContain('edited')
  })

  it('fills an empty data folder and removes what an interrupted start left beside it', async () => {
    const parent = join(work, 'interrupted')
    const dataDir = join(parent, 'db')
    await mkdir(dataDir, { recursive: true })
    await mkdir(join(parent, 'db.unpacking-0badf00d', 'base'), { recursive: true })
    expect(await seedDatabase({ kind: 'pglite', dataDir, snapshot: current }, migrations)).toBe(true)
    expect(await readdir(parent)).toEqual(['db'])
    expect(await readdir(dataDir)).toContain('PG_VERSION')
  })

  it('never replaces a folder that holds anything, and ignores a missing snapshot', async () => {
    const dataDir = join(work, 'occupied')
    await mkdir(dataDir)
    await writeFile(join(dataDir, 'PG_VERSION'), '17\n')
    expect(await seedDatabase({ kind: 'pglite', dataDir, snapshot: current }, migrations)).toBe(false)
    expect(await readdir(dataDir)).toEqual(['PG_VERSION'])
    expect(await seedDatabase({ kind: 'pglite', dataDir: join(work, 'none'), snapshot: join(work, 'no-such-snapshot') }, migrations)).toBe(false)
  })

  it('records the PGlite that made it and every migration with its checksum', async () => {
    const manifest = JSON.parse(await readFile(join(current, SNAPSHOT_MANIFEST), 'utf8')) as SnapshotManifest
    expect(manifest.pglite).toBe(installedPGliteVersion())
    expect(manifest.migrations.map((m) => m.name)).toEqual(migrations.map((m) => m.name))
    expect(manifest.migrations.every((m) => /^[a-f0-9]{64}$/.test(m.checksum))).toBe(true)
  })
})

describe('snapshotMismatch', () => {
  const migrations: Migration[] = [{ name: '1_a', sql: 'SELECT 1' }, { name: '2_b', sql: 'SELECT 2' }]
  const made = (names: string[], pglite = '0.5.16'): SnapshotManifest => ({
    pglite,
    migrations: names.map((name) => ({ name, checksum: 'x' })),
  })
  const exact = (list: Migration[]): SnapshotManifest => ({
    pglite: '0.5.16',
    migrations: list.map((m) => ({ name: m.name, checksum: migrationChecksum(m) })),
  })

  it('accepts the same migrations or a prefix of them from the same PGlite', () => {
    expect(snapshotMismatch(exact(migrations), migrations, '0.5.16')).toBeNull()
    expect(snapshotMismatch(exact(migrations.slice(0, 1)), migrations, '0.5.16')).toBeNull()
    expect(snapshotMismatch(made([]), migrations, '0.5.16')).toBeNull()
  })

  it('refuses another PGlite, a migration out of order or unknown, and a changed checksum', () => {
    expect(snapshotMismatch(exact(migrations), migrations, '0.6.0')).toMatch(/PGlite 0.5.16/)
    expect(snapshotMismatch(exact([migrations[1]!]), migrations, '0.5.16')).toMatch(/2_b/)
    expect(snapshotMismatch(made(['1_a']), migrations, '0.5.16')).toMatch(/1_a differs/)
  })
})
