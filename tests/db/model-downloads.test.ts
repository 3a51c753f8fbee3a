import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobQueue } from '../../server/jobs/queue'
import { createModelManager } from '../../server/ml'
import type { ModelManager } from '../../server/ml/manager'
import { AuthService } from '../../server/services/auth/auth.service'
import type { AppError } from '../../shared/errors'
import type { JobEvent } from '../../shared/jobs'
import { ModelFolders } from '../support/model-fixtures'
import { BACKENDS, freshDatabase } from './harness'

const SIZE = 768 * 1024
const ETAG = '"v1-weights"'

interface Seen { path: string; range: string | null; ifRange: string | null; status: number; sent: number }

/** Serves files with an ETag and Range support; can cut a response or stall it part-way. */
class WeightServer {
  readonly seen: Seen[] = []
  readonly files = new Map<string, Buffer>()
  /** path → bytes after which the next response is cut (once) or stalls (every time). */
  readonly cutOnce = new Map<string, number>()
  readonly stall = new Map<string, number>()
  private server!: Server
  url = ''

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const path = req.url ?? '/'
      const content = this.files.get(path)
      const range = req.headers.range ?? null
      const ifRange = (req.headers['if-range'] as string | undefined) ?? null
      const record: Seen = { path, range, ifRange, status: 404, sent: 0 }
      this.seen.push(record)
      if (!content) return void res.writeHead(404).end()
      const match = range ? /^bytes=(\d+)-$/.exec(range) : null
      const start = match && (!ifRange || ifRange === ETAG) ? Number(match[1]) : 0
      const body = content.subarray(start)
      record.status = start > 0 ? 206 : 200
      res.writeHead(record.status, {
        etag: ETAG, 'accept-ranges': 'bytes', 'content-length': String(body.length),
        ...(start > 0 ? { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` } : {}),
      })
      const cut = this.cutOnce.get(path)
      const stall = this.stall.get(path)
      const limit = cut ?? stall
      if (limit !== undefined) {
        this.cutOnce.delete(path)
        const part = body.subarray(0, limit)
        record.sent = part.length
        res.write(part, () => { if (cut !== undefined) setTimeout(() => res.socket?.destroy(), 20) })
        return
      }
      record.sent = body.length
      res.end(body)
    })
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  requestsFor(path: string): Seen[] {
    return this.seen.filter((s) => s.path === path)
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((r) => this.server.close(r))
  }
}

const exists = (path: string) => stat(path).then(() => true, () => false)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
async function until(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

describe.each(BACKENDS)('model downloads on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let queue: JobQueue
  let manager: ModelManager
  let folders: ModelFolders
  let owner: string
  const server = new WeightServer()
  let freeBytes = Number.MAX_SAFE_INTEGER
  const content = new Map<string, Buffer>()

  async function model(id: string, options: { sha256?: string; url?: boolean } = {}) {
    const bytes = randomBytes(SIZE)
    content.set(id, bytes)
    server.files.set(`/${id}/weights.bin`, bytes)
    await folders.add({ id, runtime: 'transformers', install: `Copy weights.bin from the ${id} release.`, files: [{ path: 'weights.bin', bytes, write: false, sha256: options.sha256, url: options.url === false ? null : `${server.url}/${id}/weights.bin` }] })
  }

  async function finish(jobId: string): Promise<JobEvent[]> {
    const events: JobEvent[] = []
    for await (const envelope of queue.events.watch(jobId, 0)) events.push(envelope.event)
    return events
  }

  const weights = (id: string) => join(folders.modelsDir, id, 'weights.bin')

  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    owner = (await new AuthService(ctx.db).createUser({ email: 'models@example.com', password: 'password-m' })).id
    await server.start()
    folders = await ModelFolders.create()
    for (const id of ['resumed', 'bad-sum', 'too-big', 'twice', 'cancelled', 'by-hand']) {
      await model(id, { sha256: id === 'bad-sum' ? 'f'.repeat(64) : undefined, url: id !== 'by-hand' })
    }
    queue = new JobQueue(ctx.db, [], { pollingIntervalSeconds: 0.2 })
    manager = createModelManager({
      manifestsDir: folders.manifestsDir, modelsDir: folders.modelsDir, device: 'cpu', memoryBudgetBytes: 1e9, idleMs: 60_000,
      queue, db: ctx.db, log: () => {},
      downloads: { retryDelaySeconds: 1, freeSpace: async () => freeBytes },
    })
    await queue.start()
    await manager.start()
  })
  afterAll(async () => {
    await manager?.close()
    await queue?.stop()
    await server.stop()
    await ctx?.dispose()
    if (folders) await rm(folders.root, { recursive: true, force: true })
  })

  it('resumes after a dropped connection with a Range request and reports progress', async () => {
    server.cutOnce.set('/resumed/weights.bin', 300 * 1024)
    expect((await manager.info('resumed')).state).toBe('missing')
    const { jobId } = await manager.requestDownload(owner, 'resumed')
    const events = await finish(jobId)
    const job = await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })
    expect(job.status).toBe('succeeded')
    expect(job.attempts).toBe(2)
    const [first, second] = server.requestsFor('/resumed/weights.bin')
    expect(server.requestsFor('/resumed/weights.bin')).toHaveLength(2)
    expect(first).toMatchObject({ range: null, status: 200, sent: 300 * 1024 })
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(second!.range ?? '')?.[1])
    expect(resumedAt).toBeGreaterThan(0)
    expect(resumedAt).toBeLessThanOrEqual(300 * 1024)
    expect(second).toMatchObject({ ifRange: ETAG, status: 206, sent: SIZE - resumedAt })
    expect(Buffer.compare(await readFile(weights('resumed')), content.get('resumed')!)).toBe(0)
    expect(await exists(`${weights('resumed')}.part`)).toBe(false)

    const progress = events.filter((e): e is Extract<JobEvent, { type: 'progress' }> => e.type === 'progress' && (e as { stage?: string }).stage === 'downloading')
    const steps = progress.map((e) => (e as { step?: number }).step)
    // The first run starts at 0; the second starts where the first stopped; the last is complete.
    expect(steps[0]).toBe(0)
    expect(steps).toContain(resumedAt)
    expect(progress.at(-1)).toMatchObject({ progress: 1, step: SIZE, max: SIZE })
    expect(progress.every((e) => (e as { max?: number }).max === SIZE)).toBe(true)
    expect(await manager.info('resumed')).toMatchObject({ state: 'installed', verified: true, downloadJobId: null })
  })

  it('refuses a file that fails its checksum, removes the partial file and leaves the model missing', async () => {
    const { jobId } = await manager.requestDownload(owner, 'bad-sum')
    await finish(jobId)
    const job = await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })
    expect(job.status).toBe('failed')
    expect(job.attempts).toBe(1)
    expect(job.error).toContain('weights.bin failed its checksum')
    expect(job.errorKind).toBe('checksum')
    expect(await exists(`${weights('bad-sum')}.part`)).toBe(false)
    expect(await exists(weights('bad-sum'))).toBe(false)
    expect((await manager.info('bad-sum')).state).toBe('missing')
  })

  it('fails before fetching anything when the disk has too little room', async () => {
    freeBytes = 1000
    try {
      const { jobId } = await manager.requestDownload(owner, 'too-big')
      await finish(jobId)
      const job = await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: jobId } })
      expect(job.status).toBe('failed')
      expect(job.errorKind).toBe('storage_full')
      expect(job.error).toMatch(/needs \d+ MB free in .*; 1 MB is free/)
      expect(server.requestsFor('/too-big/weights.bin')).toHaveLength(0)
    } finally {
      freeBytes = Number.MAX_SAFE_INTEGER
    }
  })

  it('downloads once when several requests for a model arrive together', async () => {
    const requests = await Promise.all([1, 2, 3, 4].map(() => manager.requestDownload(owner, 'twice')))
    const a = requests[0]!
    expect(new Set(requests.map((r) => r.jobId)).size).toBe(1)
    expect(requests.filter((r) => !r.existing)).toHaveLength(1)
    await finish(a.jobId)
    expect(await ctx.db.prisma.job.count({ where: { kind: 'ai.model.download', input: { path: ['modelId'], equals: 'twice' } } })).toBe(1)
    expect(server.requestsFor('/twice/weights.bin').filter((r) => r.sent > 0)).toHaveLength(1)
    expect((await manager.info('twice')).state).toBe('installed')
  })

  it('cancelling a download removes its partial file; the model cannot be removed meanwhile', async () => {
    server.stall.set('/cancelled/weights.bin', 200 * 1024)
    const { jobId } = await manager.requestDownload(owner, 'cancelled')
    const part = `${weights('cancelled')}.part`
    await until(async () => ((await stat(part).catch(() => null))?.size ?? 0) > 0, 'the partial file')
    expect(await manager.info('cancelled')).toMatchObject({ state: 'downloading', downloadJobId: jobId })
    const refused = await manager.remove('cancelled').then(() => null, (e: AppError) => e)
    expect(refused?.code).toBe('CONFLICT')
    expect(await queue.cancel(jobId)).toBe('cancelled')
    await until(async () => !(await exists(part)), 'the partial file to go')
    expect((await manager.info('cancelled')).state).toBe('missing')
  })

  it('explains how to install a model that has no download address', async () => {
    const error = await manager.requestDownload(owner, 'by-hand').then(() => null, (e: AppError) => e)
    expect(error?.code).toBe('PRECONDITION_FAILED')
    expect(error?.message).toContain('Copy weights.bin from the by-hand release.')
    expect(await ctx.db.prisma.job.count({ where: { input: { path: ['modelId'], equals: 'by-hand' } } })).toBe(0)
  })

  it('removes an installed model and its folder', async () => {
    expect((await manager.info('resumed')).state).toBe('installed')
    const removed = await manager.remove('resumed')
    expect(removed.state).toBe('missing')
    expect(await exists(join(folders.modelsDir, 'resumed'))).toBe(false)
  })
})
