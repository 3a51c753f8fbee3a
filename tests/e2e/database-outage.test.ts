import { createServer, connect, type Server, type Socket } from 'node:net'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { BOOTSTRAP_TOKEN, startServer, type RunningServer } from './server'

const ADMIN_URL = process.env.LATTICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** A TCP relay to the PostgreSQL server that the test can cut, as a network or server outage would. */
class CuttableRelay {
  private server: Server | null = null
  private readonly sockets = new Set<Socket>()
  constructor(private readonly target: URL, readonly port: number) {}
  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(Number(this.target.port || 5432), this.target.hostname)
      for (const s of [client, upstream]) { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); s.on('error', () => {}) }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((done) => this.server!.listen(this.port, '127.0.0.1', done))
  }
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((done) => this.server?.close(() => done()) ?? done())
  }
}

describe('the PostgreSQL server goes away and comes back', () => {
  const name = `lattice_outage_${Date.now()}`
  let relay: CuttableRelay
  let server: RunningServer
  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const probe = createServer()
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done))
    const port = (probe.address() as { port: number }).port
    await new Promise<void>((done) => probe.close(() => done()))
    relay = new CuttableRelay(new URL(ADMIN_URL), port)
    await relay.open()
    const url = new URL(ADMIN_URL)
    url.host = `127.0.0.1:${port}`
    url.pathname = `/${name}`
    server = await startServer({ env: { DATABASE_URL: url.toString() } })
  })
  afterAll(async () => {
    await server?.dispose()
    await relay?.cut()
    const admin = new pg.Client({ connectionString: ADMIN_URL })
    await admin.connect()
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  })

  it('answers 503 with advice while it is gone, keeps running, and recovers without a restart', async () => {
    const lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
    const before = await lattice.api.projects.create.mutate({ name: 'Before the outage' })

    await relay.cut()
    const failed = await lattice.api.projects.list.query({}).catch((e: unknown) => e)
    expect(failed).toMatchObject({ data: { code: 'SERVICE_UNAVAILABLE' } })
    expect((failed as Error).message).toMatch(/database cannot be reached/i)
    const upload = await lattice.uploadAsset(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), { name: 'x.png' }).catch((e: unknown) => e)
    expect(upload).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' })
    const health = await fetch(`${server.url}/api/livez`)
    expect(health.status).toBe(200)
    expect(await readdir(join(server.dataDir, 'tmp')).catch(() => [])).toEqual([])

    await relay.open()
    // The pool reconnects on the next queries; nothing saved before the outage was lost.
    let listed: string[] = []
    for (let attempt = 0; attempt < 50 && !listed.includes(before.id); attempt++) {
      listed = await lattice.api.projects.list.query({}).then((r) => r.items.map((p) => p.id), () => [])
      if (!listed.includes(before.id)) await new Promise((r) => setTimeout(r, 200))
    }
    expect(listed).toContain(before.id)
    expect(await lattice.api.system.health.query()).toMatchObject({ status: 'ok', database: { kind: 'postgres', ok: true } })
  })
})
