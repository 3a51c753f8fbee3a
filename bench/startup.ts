/**
 * Start-up bench: the built server started as the e2e harness starts it (`node .output/server/index.mjs`
 * with a data dir, HOST, PORT and the admin env), timed from spawn until `system.health` answers ok,
 * then its resident memory once idle. On a new data folder and restarted on the same one, on the
 * embedded database and on PostgreSQL, each beside floors run the same way in the same rounds:
 * bare node:http, and bare PGlite (same start parameters) or a bare `pg` pool answering `SELECT 1`.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { PGLITE_START_PARAMS } from '../server/db/pglite-settings'
import { ADMIN, BOOTSTRAP_TOKEN, freePort } from '../tests/e2e/server'
import { REPO_ROOT } from './servers'
import { median } from './stats'

export interface ProcessStart {
  /** Spawn until the health check first answers ok. */
  healthyMs: number
  /** VmRSS once idle (median of samples after a settling pause), and its anonymous / file-backed parts. */
  rssMb: number
  anonMb: number
  fileMb: number
}

export interface StartupCase { lattice: ProcessStart; floor: ProcessStart }
export interface DatabaseStartup { fresh: StartupCase; restart: StartupCase }

export interface StartupResult {
  rounds: number
  settleMs: number
  node: ProcessStart
  pglite: DatabaseStartup
  postgres: DatabaseStartup | { skipped: string }
}

const ENTRY = join(REPO_ROOT, '.output/server/index.mjs')
const FLOOR = join(REPO_ROOT, 'bench/startup-floor.mjs')
const POSTGRES_ADMIN_URL = process.env.LATTICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** `entry`: another build's server to measure (default: this checkout's .output). */
export async function measureStartup(options: { rounds: number; settleMs: number; entry?: string }): Promise<StartupResult> {
  const entry = options.entry ?? ENTRY
  const samples = { node: [] as ProcessStart[], pglite: emptyCases(), postgres: emptyCases() }
  const postgres = await postgresReachable()
  for (let round = 0; round < options.rounds; round++) {
    samples.node.push(await startFloor(['http'], options.settleMs))
    const lattice = await mkdtemp(join(tmpdir(), 'lattice-bench-start-'))
    const floor = await mkdtemp(join(tmpdir(), 'lattice-bench-floor-'))
    try {
      for (const phase of ['fresh', 'restart'] as const) {
        samples.pglite[phase].floor.push(await startFloor(['pglite', join(floor, 'db')], options.settleMs))
        samples.pglite[phase].lattice.push(await startLattice(entry, lattice, '', options.settleMs))
      }
    } finally {
      await rm(lattice, { recursive: true, force: true })
      await rm(floor, { recursive: true, force: true })
    }
    if (postgres === true) {
      const database = await createDatabase()
      const dataDir = await mkdtemp(join(tmpdir(), 'lattice-bench-start-'))
      try {
        for (const phase of ['fresh', 'restart'] as const) {
          samples.postgres[phase].floor.push(await startFloor(['postgres', database.url], options.settleMs))
          samples.postgres[phase].lattice.push(await startLattice(entry, dataDir, database.url, options.settleMs))
        }
      } finally {
        await database.drop()
        await rm(dataDir, { recursive: true, force: true })
      }
    }
  }
  return {
    rounds: options.rounds,
    settleMs: options.settleMs,
    node: medianStart(samples.node),
    pglite: medianCases(samples.pglite),
    postgres: postgres === true ? medianCases(samples.postgres) : { skipped: postgres },
  }
}

/** Lattice as the e2e harness starts it (tests/e2e/server.ts), the data dir kept for the restart. */
function startLattice(entry: string, dataDir: string, databaseUrl: string, settleMs: number): Promise<ProcessStart> {
  return measureProcess([entry], {
    NODE_ENV: 'production',
    LATTICE_DATA_DIR: dataDir,
    LATTICE_ADMIN_EMAIL: ADMIN.email,
    LATTICE_ADMIN_PASSWORD: ADMIN.password,
    LATTICE_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    DATABASE_URL: databaseUrl,
  }, '/api/trpc/system.health', settleMs)
}

/** The floors run WebAssembly as Lattice does (server/app/wasm-tiering.ts): Liftoff only, unless LATTICE_WASM_OPTIMIZE=1. */
function startFloor(args: string[], settleMs: number): Promise<ProcessStart> {
  const v8Flags = process.env.LATTICE_WASM_OPTIMIZE?.trim() === '1' ? [] : ['--liftoff-only']
  return measureProcess([...v8Flags, FLOOR, ...args], { BENCH_PGLITE_PARAMS: JSON.stringify(PGLITE_START_PARAMS) }, '/health', settleMs)
}

async function measureProcess(args: string[], env: Record<string, string>, healthPath: string, settleMs: number): Promise<ProcessStart> {
  const port = await freePort()
  let output = ''
  const started = performance.now()
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (chunk) => { output += chunk })
  child.stderr!.on('data', (chunk) => { output += chunk })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  try {
    const healthyMs = await waitHealthy(`http://127.0.0.1:${port}${healthPath}`, started, () => child.exitCode !== null, () => output)
    await new Promise((r) => setTimeout(r, settleMs))
    const memory: { rss: number; anon: number; file: number }[] = []
    for (let i = 0; i < 5; i++) {
      memory.push(residentMemory(child.pid!))
      await new Promise((r) => setTimeout(r, 400))
    }
    return {
      healthyMs,
      rssMb: median(memory.map((m) => m.rss)),
      anonMb: median(memory.map((m) => m.anon)),
      fileMb: median(memory.map((m) => m.file)),
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM')
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(killer)
  }
}

async function waitHealthy(url: string, started: number, exited: () => boolean, output: () => string): Promise<number> {
  for (;;) {
    if (exited()) throw new Error(`The process exited during start-up:\n${output()}`)
    if (performance.now() - started > 120_000) throw new Error(`Not healthy after 120 s:\n${output()}`)
    const ok = await fetch(url).then(async (r) => r.ok && isOk(await r.json()), () => false)
    if (ok) return performance.now() - started
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** `{"status":"ok"}` from a floor, `{"result":{"data":{"status":"ok",…}}}` from tRPC. */
function isOk(body: unknown): boolean {
  const b = body as { status?: string; result?: { data?: { status?: string } } }
  return b.status === 'ok' || b.result?.data?.status === 'ok'
}

function residentMemory(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 }
}

async function postgresReachable(): Promise<true | string> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
  try {
    await client.connect()
    return true
  } catch (error) {
    return `no PostgreSQL at ${POSTGRES_ADMIN_URL} (${(error as Error).message}); set LATTICE_TEST_POSTGRES_URL`
  } finally {
    await client.end().catch(() => {})
  }
}

async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lattice_bench_${randomBytes(6).toString('hex')}`
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL })
    await client.connect()
    try { await client.query(sql) } finally { await client.end() }
  }
  await admin(`CREATE DATABASE ${name}`)
  const url = new URL(POSTGRES_ADMIN_URL)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

function emptyCases() {
  return { fresh: { lattice: [] as ProcessStart[], floor: [] as ProcessStart[] }, restart: { lattice: [] as ProcessStart[], floor: [] as ProcessStart[] } }
}

function medianCases(cases: ReturnType<typeof emptyCases>): DatabaseStartup {
  const pair = (c: { lattice: ProcessStart[]; floor: ProcessStart[] }) => ({ lattice: medianStart(c.lattice), floor: medianStart(c.floor) })
  return { fresh: pair(cases.fresh), restart: pair(cases.restart) }
}

function medianStart(starts: ProcessStart[]): ProcessStart {
  return {
    healthyMs: median(starts.map((s) => s.healthyMs)),
    rssMb: median(starts.map((s) => s.rssMb)),
    anonMb: median(starts.map((s) => s.anonMb)),
    fileMb: median(starts.map((s) => s.fileMb)),
  }
}

/** The start-up table: each case beside its database floor and bare node:http, with ratios. */
export function startupTable(result: StartupResult): string[] {
  const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`)
  const mb = (v: number) => `${v.toFixed(0)} MB`
  const x = (a: number, b: number) => `${(a / b).toFixed(a / b >= 10 ? 1 : 2)}×`
  const rows: string[][] = [['start-up (median of ' + result.rounds + ')', 'lattice', 'database floor', 'cost', 'node:http', 'cost']]
  const add = (label: string, floorName: string, c: StartupCase) => {
    rows.push([`${label}: spawn → healthy`, ms(c.lattice.healthyMs), `${ms(c.floor.healthyMs)} ${floorName}`, x(c.lattice.healthyMs, c.floor.healthyMs), ms(result.node.healthyMs), x(c.lattice.healthyMs, result.node.healthyMs)])
    rows.push([`${label}: idle RSS (anon + file)`, `${mb(c.lattice.rssMb)} (${mb(c.lattice.anonMb)} + ${mb(c.lattice.fileMb)})`, mb(c.floor.rssMb), x(c.lattice.rssMb, c.floor.rssMb), mb(result.node.rssMb), x(c.lattice.rssMb, result.node.rssMb)])
  }
  add('PGlite, new folder', '(initdb)', result.pglite.fresh)
  add('PGlite, restarted', '', result.pglite.restart)
  if ('skipped' in result.postgres) rows.push([`PostgreSQL: skipped, ${result.postgres.skipped}`, '', '', '', '', ''])
  else {
    add('PostgreSQL, new database', '', result.postgres.fresh)
    add('PostgreSQL, restarted', '', result.postgres.restart)
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ')
  return [
    line(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('   '),
    ...rows.slice(1).map(line),
    `floors: bare PGlite with Lattice's start parameters and V8 WebAssembly setting (a new folder runs initdb), or a bare pg pool, answering SELECT 1 over node:http;`,
    `        node:http = a bare node:http server, no database. Idle RSS: VmRSS ${(result.settleMs / 1000).toFixed(0)} s after healthy (median of 5 samples).`,
  ]
}
