import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { bootstrapDatabase } from '../../server/app/bootstrap'
import { INITIAL_ADMIN_EMAIL } from '../../server/app/initial-admin'
import { openDatabase, type Database } from '../../server/db/connect'
import { AuthService } from '../../server/services/auth/auth.service'
import { GenerationPause } from '../../server/services/generations/pause'
import { ComfyPool } from '../../server/services/generations/pool'
import { ComfyServerService } from '../../server/services/generations/servers.service'
import { freshDatabase } from './harness'

const INSTANCES = 4

/** What each instance's start-up has: its own connections to the one database, its own data folder. */
async function instances(url: string) {
  return Promise.all(Array.from({ length: INSTANCES }, async () => {
    const db = await openDatabase({ kind: 'postgres', url })
    const dataDir = await mkdtemp(join(tmpdir(), 'lattice-bootstrap-'))
    const comfyServers = new ComfyServerService(db, new ComfyPool(db), new GenerationPause(db))
    return { db, dataDir, auth: new AuthService(db), comfyServers }
  }))
}

// Only a PostgreSQL server is shared by several processes; PGlite belongs to one.
describe('start-up bootstrap of instances starting together on one PostgreSQL database', () => {
  const cleanup: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step()
  })
  async function race(bootstrap: { adminEmail?: string; adminPassword?: string; bootstrapToken?: string }, comfyUrls?: string) {
    const ctx = await freshDatabase('postgres')
    cleanup.push(() => ctx.dispose())
    const started = await instances(ctx.url!)
    cleanup.push(async () => {
      for (const s of started) {
        await s.db.close()
        await rm(s.dataDir, { recursive: true, force: true })
      }
    })
    const results = await Promise.allSettled(started.map((s) => bootstrapDatabase(s.db, s, { bootstrap, dataDir: s.dataDir, comfy: { urls: comfyUrls } })))
    return { db: ctx.db as Database, started, failures: results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)) }
  }

  it('creates one admin from env, one bootstrap token and one row per ComfyUI address', async () => {
    const token = 'lat_bootstrap_token_race_000001'
    const { db, failures } = await race({ adminEmail: 'admin@example.com', adminPassword: 'admin-password-1', bootstrapToken: token }, 'http://gpu-a:8188, gpu-b:8188/')
    expect(failures).toEqual([])
    expect((await db.prisma.user.findMany()).map((u) => [u.email, u.role])).toEqual([['admin@example.com', 'admin']])
    expect(await db.prisma.apiToken.count()).toBe(1)
    expect((await new AuthService(db).userForToken(token))?.email).toBe('admin@example.com')
    expect((await db.prisma.comfyServer.findMany({ orderBy: { url: 'asc' } })).map((s) => [s.url, s.source])).toEqual([['http://gpu-a:8188', 'env'], ['http://gpu-b:8188', 'env']])
  })

  it('generates one admin when none is given, and only the instance that made it writes its password', async () => {
    const { db, started, failures } = await race({})
    expect(failures).toEqual([])
    expect((await db.prisma.user.findMany()).map((u) => u.email)).toEqual([INITIAL_ADMIN_EMAIL])
    const files = (await Promise.all(started.map((s) => readFile(join(s.dataDir, 'initial-admin-password.txt'), 'utf8').catch(() => null)))).filter((f) => f !== null)
    expect(files).toHaveLength(1)
    const password = files[0]!.split('\n')[1]!
    const { user } = await new AuthService(db).signIn({ email: INITIAL_ADMIN_EMAIL, password, ip: '127.0.0.1' })
    expect(user.role).toBe('admin')
  })
})
