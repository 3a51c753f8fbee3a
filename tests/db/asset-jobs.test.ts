import { createReadStream } from 'node:fs'
import { mkdtemp, rm, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthService } from '../../server/services/auth/auth.service'
import { AssetService } from '../../server/services/assets/assets.service'
import { assetProcessJob } from '../../server/services/assets/process.job'
import { JobQueue } from '../../server/jobs/queue'
import { DataLayout } from '../../server/storage/paths'
import { BACKENDS, freshDatabase } from './harness'

describe.each(BACKENDS)('asset processing job on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let dir: string
  let queue: JobQueue
  let assets: AssetService
  let owner: string
  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    dir = await mkdtemp(join(tmpdir(), 'lattice-assets-'))
    const layout = new DataLayout(dir)
    owner = (await new AuthService(ctx.db).createUser({ email: 'maker@example.com', password: 'password-m' })).id
    const holder: { queue?: JobQueue } = {}
    assets = new AssetService(ctx.db, layout, { enqueue: (...a) => holder.queue!.enqueue(...a) }, 50 * 1024 * 1024)
    queue = new JobQueue(ctx.db, [assetProcessJob(ctx.db, assets, layout)], { pollingIntervalSeconds: 0.5 })
    holder.queue = queue
    await queue.start()
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '2', '-pix_fmt', 'yuv420p', join(dir, 'clip.mp4')])
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '1', '-pix_fmt', 'yuv420p', join(dir, 'short.mp4')])
  })
  afterAll(async () => {
    await queue?.stop()
    await ctx?.dispose()
    await rm(dir, { recursive: true, force: true })
  })

  it('extracts metadata and a thumbnail of an uploaded video, streaming progress to the end', async () => {
    const { asset, jobId } = await assets.ingest(owner, createReadStream(join(dir, 'clip.mp4')), '../../etc/clip.mp4')
    expect(asset.name).toBe('clip.mp4')
    expect(asset.status).toBe('processing')
    const events = []
    for await (const envelope of queue.events.watch(jobId!, 0)) events.push(envelope)
    const statuses = events.filter((e) => e.event.type === 'status').map((e) => (e.event as { status: string }).status)
    expect(statuses).toEqual(['queued', 'running', 'succeeded'])
    expect(events.some((e) => e.event.type === 'progress' && e.event.progress > 0 && e.event.progress < 1)).toBe(true)
    const ids = events.map((e) => e.id)
    expect([...ids].sort((a, b) => a - b)).toEqual(ids)
    const ready = await assets.get(owner, asset.id)
    expect(ready).toMatchObject({ status: 'ready', kind: 'video', hasThumbnail: true })
    expect(ready.metadata).toMatchObject({ width: 320, height: 240, fps: 25 })
    // Resuming after the third event yields exactly the rest.
    const resumed = []
    for await (const envelope of queue.events.watch(jobId!, ids[2]!)) resumed.push(envelope.id)
    expect(resumed).toEqual(ids.slice(3))
  })

  it('deduplicates identical content and refuses a mislabelled text file without leaving files', async () => {
    const again = await assets.ingest(owner, createReadStream(join(dir, 'clip.mp4')), 'again.mp4')
    expect(again.deduplicated).toBe(true)
    const { Readable } = await import('node:stream')
    await expect(assets.ingest(owner, Readable.from([Buffer.from('just some text, not a picture')]), 'fake.png')).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' })
    expect(await readdir(join(dir, 'tmp'))).toEqual([])
  })

  it('cancels a queued job and marks its asset failed', async () => {
    await queue.stop()
    // A process that only enqueues: nothing runs the job, so it stays queued until cancelled.
    const layout = new DataLayout(dir)
    const holder: { queue?: JobQueue } = {}
    const enqueueOnly = new AssetService(ctx.db, layout, { enqueue: (...a) => holder.queue!.enqueue(...a) }, 50 * 1024 * 1024)
    holder.queue = new JobQueue(ctx.db, [assetProcessJob(ctx.db, enqueueOnly, layout)], { worker: false })
    await holder.queue.start()
    try {
      const { asset, jobId } = await enqueueOnly.ingest(owner, createReadStream(join(dir, 'short.mp4')), 'short.mp4')
      expect(await holder.queue.cancel(jobId!)).toBe('cancelled')
      expect(await enqueueOnly.get(owner, asset.id)).toMatchObject({ status: 'failed', error: 'Processing was cancelled.' })
      const row = await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: jobId! } })
      expect(row.status).toBe('cancelled')
    } finally {
      await holder.queue.stop()
    }
  })
})
