// Temporary: measures where a generation's time goes, in-process on PGlite.
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../server/db/connect'
import { applyMigrations, loadMigrationsFromDir } from '../server/db/migrate'
import { AuthService } from '../server/services/auth/auth.service'
import { startLattice, useServers, MODELS } from '../tests/db/generations-harness'
import { ComfyStandIn } from '../tests/comfy/stand-in/server'

const marks: Array<[string, number]> = []
;(globalThis as any).__trace = (label: string) => marks.push([label, performance.now()])
const kind = process.argv[2] === 'pg' ? 'pg' : 'pglite'
const dir = await mkdtemp(join(tmpdir(), 'trace-'))
let db
if (kind === 'pg') {
  const { Client } = (await import('pg')).default
  const c = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' }); await c.connect()
  await c.query('DROP DATABASE IF EXISTS lattice_trace'); await c.query('CREATE DATABASE lattice_trace'); await c.end()
  db = await openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/lattice_trace' })
} else db = await openDatabase({ kind: 'pglite', dataDir: join(dir, 'db') })
await applyMigrations(db.sql, await loadMigrationsFromDir('prisma/migrations'))
const owner = (await new AuthService(db).createUser({ email: 't@example.com', password: 'password-t' })).id
const standIns = await Promise.all([0,1,2,3].map(() => ComfyStandIn.start({ models: structuredClone(MODELS), nodeDelayMs: 0 })))
const lattice = await startLattice(db, dir, { previewIntervalMs: 1000 })
await useServers(db, lattice, standIns, 4)
async function one(i: number) {
  marks.length = 0
  const t0 = performance.now(); marks.push(['create', t0])
  const g = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 1, seed: i } })
  marks.push(['created', performance.now()])
  for await (const e of lattice.queue.events.watch(g.jobId, 0)) { if (e.event.type === 'status' && e.event.status === 'succeeded') marks.push(['watch-succeeded', performance.now()]) }
  const s = standIns.find((x) => x.queuedAt.has(g.id))!
  marks.push(['standin-queued', s.queuedAt.get(g.id)!]); marks.push(['standin-finished', s.executor.finishedAt.get(g.id)!])
  return [...marks].sort((a, b) => a[1] - b[1]).map(([l, t]) => `${l}:${(t - t0).toFixed(1)}`).join(' ')
}
for (let i = 0; i < 3; i++) await one(i)
for (let i = 0; i < 5; i++) console.log(await one(100 + i))
await lattice.stop(); await Promise.all(standIns.map((s) => s.stop())); await db.close()
process.exit(0)
