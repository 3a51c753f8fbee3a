import { execFileSync } from 'node:child_process'
import { readdir, readFile, writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient, LatticeHttpError, TRPCClientError, type LatticeClient } from '../../client'
import { parseDocument } from '../../shared/project'
import { ADMIN, BOOTSTRAP_TOKEN, startServer, type RunningServer } from './server'

/** The built app as a script uses it: the typed client with an API token, over real HTTP. */
describe('the built server through the typed client', () => {
  let server: RunningServer
  let lattice: LatticeClient
  let media: string
  beforeAll(async () => {
    server = await startServer()
    lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
    media = await mkdtemp(join(tmpdir(), 'lattice-e2e-media-'))
    await sharp({ create: { width: 96, height: 64, channels: 4, background: { r: 200, g: 40, b: 90, alpha: 0.5 } } }).png().toFile(join(media, 'plate.png'))
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '1', '-pix_fmt', 'yuv420p', join(media, 'clip.mp4')])
    await writeFile(join(media, 'notes.png'), 'these are notes, not pixels\n'.repeat(20))
  })
  afterAll(async () => {
    await server?.dispose()
    if (media) await rm(media, { recursive: true, force: true })
  })

  it('answers health without sign-in and refuses data without it', async () => {
    const anonymous = createLatticeClient({ url: server.url })
    expect(await anonymous.api.system.health.query()).toMatchObject({ status: 'ok', database: { kind: 'pglite', ok: true } })
    await expect(anonymous.api.projects.list.query({})).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } })
    await expect(anonymous.uploadAsset(join(media, 'plate.png'))).rejects.toMatchObject({ status: 401 })
    const wrongToken = createLatticeClient({ url: server.url, token: 'lat_not_a_real_token_000000000' })
    await expect(wrongToken.api.projects.list.query({})).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } })
  })

  it('creates, saves, conflicts, lists and round-trips a project through export and import', async () => {
    const created = await lattice.api.projects.create.mutate({ name: 'Street at dusk', width: 1280, height: 720, fps: 24 })
    const opened = await lattice.api.projects.get.query({ id: created.id })
    expect(opened.createdAt).toBeInstanceOf(Date)
    const saved = await lattice.api.projects.save.mutate({ id: created.id, revision: opened.revision, document: opened.document })
    expect(saved.revision).toBe(opened.revision + 1)
    const stale = await lattice.api.projects.save.mutate({ id: created.id, revision: opened.revision, document: opened.document }).catch((e: unknown) => e)
    expect(stale).toBeInstanceOf(TRPCClientError)
    expect(stale).toMatchObject({ data: { code: 'CONFLICT' } })

    const file = await lattice.api.projects.export.query({ id: created.id })
    expect(file.format).toBe('lattice.project')
    expect(parseDocument(JSON.parse(JSON.stringify(file.document))).document).toEqual(opened.document)
    const imported = await lattice.api.projects.import.mutate({ file: JSON.parse(JSON.stringify(file)), name: 'Street at dusk (copy)' })
    expect(imported.warnings).toEqual([])
    expect((await lattice.api.projects.get.query({ id: imported.id })).document).toEqual(opened.document)

    const { items } = await lattice.api.projects.list.query({ search: 'dusk' })
    expect(items.map((p) => p.name).sort()).toEqual(['Street at dusk', 'Street at dusk (copy)'])
  })

  it('imports a project file of the original Lattice with warnings', async () => {
    const legacy = JSON.parse(await readFile('tests/unit/project/fixtures/legacy-project.json', 'utf8'))
    const imported = await lattice.api.projects.import.mutate({ file: legacy })
    expect(imported.source).toBe('legacy')
    expect(imported.warnings.length).toBeGreaterThan(0)
    await expect(lattice.api.projects.import.mutate({ file: { hello: 'world' } })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } })
  })

  it('uploads an image, then a video whose processing job streams to success, and serves byte ranges', async () => {
    const image = await lattice.uploadAsset(join(media, 'plate.png'))
    expect(image).toMatchObject({ deduplicated: false, jobId: null, asset: { kind: 'image', status: 'ready', name: 'plate.png', metadata: { width: 96, height: 64, hasAlpha: true } } })
    expect((await lattice.uploadAsset(join(media, 'plate.png'), { name: 'again.png' })).deduplicated).toBe(true)

    const video = await lattice.uploadAsset(join(media, 'clip.mp4'))
    expect(video.asset.status).toBe('processing')
    const events: string[] = []
    const status = await lattice.waitForJob(video.jobId!, (e) => events.push(e.event.type))
    expect(status).toBe('succeeded')
    expect(events).toContain('progress')
    const ready = await lattice.api.assets.get.query({ id: video.asset.id })
    expect(ready).toMatchObject({ status: 'ready', hasThumbnail: true, metadata: { width: 320, height: 240, fps: 25, frameCount: 25 } })

    const original = await readFile(join(media, 'clip.mp4'))
    expect(Buffer.from(await lattice.downloadAsset(video.asset.id))).toEqual(original)
    expect(Buffer.from(await lattice.downloadAsset(video.asset.id, { start: 100, end: 199 }))).toEqual(original.subarray(100, 200))
    const thumb = await fetch(`${server.url}${ready.thumbnailUrl}`, { headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } })
    expect(thumb.headers.get('content-type')).toBe('image/webp')
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).format).toBe('webp')
  })

  it('refuses a file that is not media with a message that says what is accepted, and keeps nothing', async () => {
    const refused = await lattice.uploadAsset(join(media, 'notes.png')).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(LatticeHttpError)
    expect(refused).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' })
    expect((refused as Error).message).toMatch(/png|jpeg|mp4/i)
    expect(await readdir(join(server.dataDir, 'tmp')).catch(() => [])).toEqual([])
  })

  it('refuses ids that are not ids, and other users’ assets', async () => {
    const traversal = await fetch(`${server.url}/api/assets/..%2F..%2Fetc%2Fpasswd/file`, { headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } })
    expect([400, 404]).toContain(traversal.status)
    const { items } = await lattice.api.assets.list.query({})
    expect(items.length).toBeGreaterThan(0)
    await lattice.api.users.create.mutate({ email: 'other@example.com', password: 'other-password' })
    const other = await signInWithCookie(server.url, 'other@example.com', 'other-password')
    const foreign = await fetch(`${server.url}/api/assets/${items[0]!.id}/file`, { headers: { cookie: other } })
    expect(foreign.status).toBe(404)
  })

  it('signs a browser in with an httpOnly cookie and ignores that cookie on cross-origin writes', async () => {
    const cookie = await signInWithCookie(server.url, ADMIN.email, ADMIN.password)
    const me = await trpcGet(server.url, 'auth.me', cookie)
    expect(me).toMatchObject({ email: ADMIN.email, role: 'admin' })
    const crossSite = await fetch(`${server.url}/api/trpc/projects.create`, {
      method: 'POST',
      headers: { cookie, origin: 'https://elsewhere.example', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Forged' }),
    })
    expect(crossSite.status).toBe(401)
    const wrong = await fetch(`${server.url}/api/trpc/auth.signIn`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: ADMIN.email, password: 'nope-nope' }),
    })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('set-cookie')).toBeNull()
  })

  it('issues, uses and revokes an API token', async () => {
    const { token } = await lattice.api.tokens.create.mutate({ name: 'render farm' })
    const farm = createLatticeClient({ url: server.url, token })
    expect(await farm.api.auth.me.query()).toMatchObject({ email: ADMIN.email })
    const listed = await lattice.api.tokens.list.query()
    const info = listed.find((t) => t.name === 'render farm')!
    expect(token.startsWith(info.prefix)).toBe(true)
    await lattice.api.tokens.revoke.mutate({ id: info.id })
    await expect(farm.api.projects.list.query({})).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } })
  })
})

describe('restarts and limits', () => {
  let media: string
  beforeAll(async () => {
    media = await mkdtemp(join(tmpdir(), 'lattice-e2e-restart-'))
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-t', '1', '-pix_fmt', 'yuv420p', join(media, 'queued.mp4')])
  })
  afterAll(async () => { await rm(media, { recursive: true, force: true }) })

  it('keeps projects and a queued job across a restart, and the job finishes after it', async () => {
    const dataDir = join(media, 'data')
    // An instance that runs no jobs: the upload's processing job stays queued in the database.
    const first = await startServer({ dataDir, env: { LATTICE_WORKER: '0' } })
    const client = createLatticeClient({ url: first.url, token: BOOTSTRAP_TOKEN })
    const project = await client.api.projects.create.mutate({ name: 'Survives restarts' })
    const upload = await client.uploadAsset(join(media, 'queued.mp4'))
    expect((await client.api.jobs.get.query({ id: upload.jobId! })).status).toBe('queued')
    expect(await first.stop()).toBe(0)

    const second = await startServer({ dataDir })
    try {
      const again = createLatticeClient({ url: second.url, token: BOOTSTRAP_TOKEN })
      expect((await again.api.projects.get.query({ id: project.id })).name).toBe('Survives restarts')
      expect(await again.waitForJob(upload.jobId!)).toBe('succeeded')
      expect((await again.api.assets.get.query({ id: upload.asset.id })).status).toBe('ready')
      // Restarting did not bootstrap a second admin or token.
      expect(second.output()).not.toContain('created admin')
    } finally {
      await second.dispose()
    }
  })

  it('refuses uploads over LATTICE_MAX_UPLOAD_MB before and while reading them, leaving no partial files', async () => {
    const server = await startServer({ env: { LATTICE_MAX_UPLOAD_MB: '1' } })
    try {
      const client = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
      const big = new Uint8Array(3 * 1024 * 1024)
      const declared = await client.uploadAsset(big, { name: 'big.bin' }).catch((e: unknown) => e)
      expect(declared).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' })
      expect((declared as Error).message).toContain('LATTICE_MAX_UPLOAD_MB')
      // Chunked, with no Content-Length: the limit is enforced while streaming.
      const streamed = await fetch(`${server.url}/api/assets/upload?name=big.bin`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` },
        body: new Blob([big]).stream(),
        duplex: 'half',
      } as RequestInit)
      expect(streamed.status).toBe(413)
      expect(await readdir(join(server.dataDir, 'tmp')).catch(() => [])).toEqual([])
      expect((await client.api.assets.list.query({})).items).toEqual([])
    } finally {
      await server.dispose()
    }
  })

  it('runs on a PostgreSQL server when DATABASE_URL is set', async () => {
    const admin = process.env.LATTICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
    const name = `lattice_e2e_${Date.now()}`
    const pg = (await import('pg')).default
    const c = new pg.Client({ connectionString: admin })
    await c.connect()
    await c.query(`CREATE DATABASE ${name}`)
    await c.end()
    const url = new URL(admin)
    url.pathname = `/${name}`
    const server = await startServer({ env: { DATABASE_URL: url.toString() } })
    try {
      const client = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
      expect(await client.api.system.health.query()).toMatchObject({ database: { kind: 'postgres', ok: true } })
      const created = await client.api.projects.create.mutate({ name: 'On the server' })
      expect((await client.api.projects.get.query({ id: created.id })).name).toBe('On the server')
    } finally {
      await server.dispose()
      const d = new pg.Client({ connectionString: admin })
      await d.connect()
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await d.end()
    }
  })

  it('creates a first admin with a random password when none is configured, once', async () => {
    const dataDir = join(media, 'fresh')
    const env = { LATTICE_ADMIN_EMAIL: '', LATTICE_ADMIN_PASSWORD: '', LATTICE_BOOTSTRAP_TOKEN: '' }
    const server = await startServer({ dataDir, env })
    const [email, password] = (await readFile(join(dataDir, 'initial-admin-password.txt'), 'utf8')).trim().split('\n')
    expect(server.output()).toContain(password)
    expect(await trpcGet(server.url, 'auth.me', await signInWithCookie(server.url, email!, password!))).toMatchObject({ email, role: 'admin' })
    await server.stop()
    const again = await startServer({ dataDir, env })
    expect(again.output()).not.toContain('created the first admin')
    await again.dispose()
  })

  it('exits at start-up with a message when DATABASE_URL is not a PostgreSQL URL', async () => {
    await expect(startServer({ env: { DATABASE_URL: 'mysql://somewhere/db' } })).rejects.toThrow(/DATABASE_URL must start with postgres/)
  })
})

async function signInWithCookie(url: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/trpc/auth.signIn`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  })
  expect(response.status).toBe(200)
  const setCookie = response.headers.get('set-cookie')!
  expect(setCookie).toMatch(/HttpOnly/i)
  expect(setCookie).toMatch(/SameSite=Lax/i)
  return setCookie.split(';')[0]!
}

async function trpcGet(url: string, path: string, cookie: string): Promise<unknown> {
  const response = await fetch(`${url}/api/trpc/${path}`, { headers: { cookie } })
  const body = await response.json() as { result: { data: unknown } }
  return body.result.data
}
