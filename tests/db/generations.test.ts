import { execFileSync } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AuthService } from '../../server/services/auth/auth.service'
import type { ComfyStandIn } from '../comfy/stand-in/server'
import { setTimeout as sleep } from 'node:timers/promises'
import { BACKENDS, freshDatabase } from './harness'
import { eventMatching, pngStream, settle, startLattice, startStandIn, statusesOf, useServers, type Lattice } from './generations-harness'

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(20)
}

/** Polls until the generation is in a terminal state (its event log also holds the earlier run's end). */
async function waitForEnd(service: Lattice['service'], owner: string, id: string) {
  for (;;) {
    const generation = await service.get(owner, id)
    if (['succeeded', 'failed', 'cancelled'].includes(generation.status)) return generation
    await sleep(50)
  }
}

describe.each(BACKENDS)('generations on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let dir: string
  let lattice: Lattice
  let owner: string
  const standIns: ComfyStandIn[] = []
  const standIn = async () => {
    const s = await startStandIn()
    standIns.push(s)
    return s
  }

  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    dir = await mkdtemp(join(tmpdir(), 'lattice-gen-'))
    owner = (await new AuthService(ctx.db).createUser({ email: 'gen@example.com', password: 'password-g' })).id
    lattice = await startLattice(ctx.db, dir)
  })
  afterEach(async () => {
    await Promise.all(standIns.splice(0).map((s) => s.stop()))
  })
  afterAll(async () => {
    await lattice?.stop()
    await ctx?.dispose()
    await rm(dir, { recursive: true, force: true })
  })

  it('runs text-to-image under its own prompt id with the parameters set, streams progress and previews, and stores the result as an asset', async () => {
    const gpu = await standIn()
    const [serverId] = await useServers(ctx.db, lattice, [gpu])
    const created = await lattice.service.create(owner, { templateId: 'text-to-image', params: { prompt: 'a red fox in snow', seed: 4242, steps: 6, width: 96, height: 64 } })
    const events = await settle(lattice, created.id)
    const done = await lattice.service.get(owner, created.id)
    expect(done).toMatchObject({ status: 'succeeded', serverId, promptId: created.id, attempts: 1, error: null })
    expect(statusesOf(events)).toEqual(['queued', 'dispatched', 'running', 'succeeded'])
    const steps = events.flatMap((e) => (e.event.type === 'progress' && e.event.classType === 'KSampler' && e.event.step !== undefined ? [e.event] : []))
    expect(steps.at(-1)).toMatchObject({ node: '3', max: 6 })
    expect(events.some((e) => e.event.type === 'preview' && e.event.dataUrl.startsWith('data:image/jpeg;base64,'))).toBe(true)
    // Exactly one submission, under our id, with the values structurally in place.
    const sent = gpu.received.filter((r) => r.status === 200)
    expect(sent.map((r) => r.promptId)).toEqual([created.id])
    const prompt = sent[0]!.body.prompt as Record<string, { inputs: Record<string, unknown> }>
    expect(prompt['6']!.inputs.text).toBe('a red fox in snow')
    expect(prompt['3']!.inputs).toMatchObject({ seed: 4242, steps: 6 })
    expect(prompt['5']!.inputs).toMatchObject({ width: 96, height: 64 })
    expect(done.outputs).toHaveLength(1)
    const asset = await lattice.assets.get(owner, done.outputs[0]!)
    expect(asset).toMatchObject({ kind: 'image', status: 'ready', mime: 'image/png' })
    expect(asset.metadata).toMatchObject({ width: 96, height: 64 })
    expect(await readdir(join(dir, 'tmp'))).toEqual([])
  })

  it('uploads input pictures for image-to-image, Wan image-to-video and depth ControlNet', async () => {
    const gpu = await standIn()
    await useServers(ctx.db, lattice, [gpu])
    const { asset: picture } = await lattice.assets.ingest(owner, await pngStream(), 'start.png')
    const runs: Array<{ templateId: string; inputs: Record<string, string>; node: string; mime: string; params?: Record<string, number> }> = [
      { templateId: 'image-to-image', inputs: { image: picture.id }, node: '10', mime: 'image/png' },
      { templateId: 'image-to-video-wan', inputs: { start_image: picture.id }, node: '52', mime: 'image/webp', params: { frames: 9, steps: 3, width: 128, height: 96 } },
      { templateId: 'depth-controlnet', inputs: { depth: picture.id }, node: '10', mime: 'image/png' },
    ]
    for (const run of runs) {
      const created = await lattice.service.create(owner, { templateId: run.templateId, inputs: run.inputs, params: run.params })
      await settle(lattice, created.id)
      const done = await lattice.service.get(owner, created.id)
      expect(done, run.templateId).toMatchObject({ status: 'succeeded', inputs: run.inputs, error: null })
      const body = gpu.received.find((r) => r.promptId === created.id)!.body
      const loaded = (body.prompt as Record<string, { inputs: Record<string, unknown> }>)[run.node]!.inputs.image as string
      expect(loaded).toBe(`lattice/lattice-${picture.hash.slice(0, 20)}.png`)
      expect((await lattice.assets.get(owner, done.outputs[0]!)).mime).toBe(run.mime)
    }
    expect(await readdir(join(gpu.folders.input, 'lattice'))).toEqual([`lattice-${picture.hash.slice(0, 20)}.png`])
  })

  it('uploads a control video for Wan Fun Control under a video extension and names it in LoadVideo', async () => {
    const gpu = await standIn()
    await useServers(ctx.db, lattice, [gpu])
    const clip = join(dir, 'depth.mp4')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=16', '-frames:v', '9', '-pix_fmt', 'yuv420p', clip])
    const { asset, jobId } = await lattice.assets.ingest(owner, createReadStream(clip), 'depth.mp4')
    for await (const _ of lattice.queue.events.watch(jobId!, 0)) { /* until the asset is processed */ }
    // A name without an extension: the upload is still named as the video it is.
    await lattice.assets.rename(owner, asset.id, 'Depth pass')
    const created = await lattice.service.create(owner, { templateId: 'wan-fun-control', inputs: { control_video: asset.id }, params: { frames: 9, steps: 3, width: 128, height: 96 } })
    await settle(lattice, created.id)
    const done = await lattice.service.get(owner, created.id)
    expect(done).toMatchObject({ status: 'succeeded', inputs: { control_video: asset.id }, error: null })
    const uploaded = `lattice-${asset.hash.slice(0, 20)}.mp4`
    const prompt = gpu.received.find((r) => r.promptId === created.id)!.body.prompt as Record<string, { inputs: Record<string, unknown> }>
    expect(prompt['55']!.inputs.file).toBe(`lattice/${uploaded}`)
    expect(await readFile(join(gpu.folders.input, 'lattice', uploaded))).toEqual(await readFile(clip))
    expect((await lattice.assets.get(owner, done.outputs[0]!)).mime).toBe('image/webp')
    const { asset: still } = await lattice.assets.ingest(owner, await pngStream(), 'still.png')
    await expect(lattice.service.create(owner, { templateId: 'wan-fun-control', inputs: { control_video: still.id } }))
      // The same picture may have been stored before under another name: the message names the asset as it is.
      .rejects.toMatchObject({ code: 'BAD_REQUEST', message: `Control video must be a video; "${still.name}" is an image.` })
  })

  it('refuses unknown parameters, out-of-range values and a missing input picture before queueing anything', async () => {
    const gpu = await standIn()
    await useServers(ctx.db, lattice, [gpu])
    await expect(lattice.service.create(owner, { templateId: 'text-to-image', params: { stepz: 3 } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('"stepz" is not a parameter') })
    await expect(lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 0 } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'Steps: at least 1.' })
    await expect(lattice.service.create(owner, { templateId: 'image-to-image' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('Source image') })
    await expect(lattice.service.create(owner, { templateId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(gpu.received).toEqual([])
  })

  it('sends a generation to the least-loaded server and never more than maxConcurrent to one', async () => {
    const busy = await standIn()
    const idle = await standIn()
    const [busyId, idleId] = await useServers(ctx.db, lattice, [busy, idle])
    // Someone else's long prompt occupies the first server.
    busy.behave('EmptyImage', { delayMs: 60_000 })
    const foreign = await fetch(`${busy.url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: { 1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } }, 2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } } } }) })
    expect(foreign.status).toBe(200)
    const first = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 2 } })
    await settle(lattice, first.id)
    expect(await lattice.service.get(owner, first.id)).toMatchObject({ status: 'succeeded', serverId: idleId })
    expect(busy.received.filter((r) => r.promptId === first.id)).toEqual([])
    busy.behave('EmptyImage', { delayMs: 0 })
    await busy.restart()

    // Two slow ones with both servers free and one slot each: one per server.
    for (const s of [busy, idle]) s.behave('KSampler', { delayMs: 1500, steps: 3 })
    const a = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 3 } })
    const b = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 3 } })
    await Promise.all([settle(lattice, a.id), settle(lattice, b.id)])
    const servers = [(await lattice.service.get(owner, a.id)).serverId, (await lattice.service.get(owner, b.id)).serverId]
    expect(new Set(servers)).toEqual(new Set([busyId, idleId]))
  })

  it('lets a generation finish on a server disabled meanwhile, and sends new ones elsewhere', async () => {
    const first = await standIn()
    const second = await standIn()
    const [firstId, secondId] = await useServers(ctx.db, lattice, [first, second])
    first.behave('KSampler', { delayMs: 1500, steps: 15 })
    const running = await lattice.service.create(owner, { templateId: 'text-to-image' })
    await eventMatching(lattice, running.id, (e) => e.event.type === 'progress' && e.event.step !== undefined)
    expect((await lattice.service.get(owner, running.id)).serverId).toBe(firstId)
    await lattice.servers.update(firstId!, { enabled: false })
    const next = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 1 } })
    await Promise.all([settle(lattice, running.id), settle(lattice, next.id)])
    expect(await lattice.service.get(owner, running.id)).toMatchObject({ status: 'succeeded', serverId: firstId })
    expect(await lattice.service.get(owner, next.id)).toMatchObject({ status: 'succeeded', serverId: secondId })
    expect(first.queued).toEqual([running.id])
  })

  it('queues a prompt once when ComfyUI answers 500 after queueing it', async () => {
    const gpu = await standIn()
    await useServers(ctx.db, lattice, [gpu])
    gpu.failNext(1, { afterQueueing: true, method: 'POST' })
    const created = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 2 } })
    await settle(lattice, created.id)
    const done = await lattice.service.get(owner, created.id)
    expect(done.status).toBe('succeeded')
    // The stand-in queued it and then answered 500; Lattice found it and did not send it again.
    expect(gpu.received.filter((r) => r.promptId === created.id)).toHaveLength(1)
    expect(gpu.queued.filter((id) => id === created.id)).toHaveLength(1)
    const logs = await ctx.db.prisma.jobEvent.findMany({ where: { jobId: done.jobId! } })
    expect(logs.some((l) => JSON.stringify(l.event).includes('despite the error'))).toBe(true)
  })

  it('fails a 400 at once, naming the missing model and listing the server\'s files, without retrying', async () => {
    const gpu = await standIn()
    await useServers(ctx.db, lattice, [gpu])
    const warm = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 1 } })
    await settle(lattice, warm.id)
    // The model vanishes after Lattice cached the server's object_info: ComfyUI answers 400.
    gpu.models.checkpoints = ['juggernaut_xl.safetensors']
    const created = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 1 } })
    const events = await settle(lattice, created.id)
    const failed = await lattice.service.get(owner, created.id)
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'missing_model', attempts: 1 })
    expect(failed.error).toContain('sd15.safetensors')
    expect(failed.error).toContain('juggernaut_xl.safetensors')
    expect(gpu.received.filter((r) => r.promptId === created.id).map((r) => r.status)).toEqual([400])
    expect(statusesOf(events)).toEqual(['queued', 'dispatched', 'failed'])
  })

  it('reports out of GPU memory and a model file missing at run time as actionable failures', async () => {
    const gpu = await standIn()
    await useServers(ctx.db, lattice, [gpu])
    gpu.failNode('KSampler', 'oom')
    const oom = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 1 } })
    await settle(lattice, oom.id)
    expect(await lattice.service.get(owner, oom.id)).toMatchObject({ status: 'failed', errorKind: 'out_of_memory', attempts: 1, error: expect.stringContaining('out of GPU memory') })
    gpu.executor.failures.clear()
    gpu.failNode('CheckpointLoaderSimple', 'missing_model_file')
    // Another checkpoint, so the loader is not served from ComfyUI's cache.
    const missing = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 1, checkpoint: 'sdxl_base.safetensors' } })
    await settle(lattice, missing.id)
    expect(await lattice.service.get(owner, missing.id)).toMatchObject({ status: 'failed', errorKind: 'missing_model', error: expect.stringContaining('vanished.safetensors') })
    expect(gpu.queued.filter((id) => id === oom.id || id === missing.id)).toHaveLength(2)
  })

  it('interrupts a run that passes its time limit and fails it without retrying', async () => {
    const gpu = await standIn()
    await useServers(ctx.db, lattice, [gpu])
    gpu.behave('KSampler', { delayMs: 60_000, steps: 600 })
    const created = await lattice.service.create(owner, { templateId: 'text-to-image', timeoutSeconds: 1 })
    await settle(lattice, created.id)
    const failed = await lattice.service.get(owner, created.id)
    expect(failed).toMatchObject({ status: 'failed', errorKind: 'timeout', attempts: 1, error: expect.stringContaining('longer than 1 s') })
    expect(gpu.interrupts).toContainEqual({ prompt_id: created.id })
    expect(gpu.queued.filter((id) => id === created.id)).toHaveLength(1)
  })

  it('cancels a generation while queued, while dispatched (pending on ComfyUI) and while running', async () => {
    const gpu = await standIn()
    await useServers(ctx.db, lattice, [gpu])
    gpu.behave('KSampler', { delayMs: 60_000, steps: 600 })
    const running = await lattice.service.create(owner, { templateId: 'text-to-image' })
    await eventMatching(lattice, running.id, (e) => e.event.type === 'progress' && e.event.step !== undefined)
    // The server takes one at a time: the next waits in our queue.
    const queued = await lattice.service.create(owner, { templateId: 'text-to-image' })
    expect((await lattice.service.cancel(owner, queued.id)).status).toBe('cancelled')
    expect((await lattice.service.cancel(owner, running.id)).status).toBe('cancelled')
    await settle(lattice, running.id)
    expect(gpu.interrupts).toContainEqual({ prompt_id: running.id })
    await until(() => gpu.executor.history.has(running.id))
    expect(gpu.executor.history.get(running.id)?.status.messages.map(([type]) => type)).toContain('execution_interrupted')

    // Dispatched: queued on ComfyUI behind someone else's prompt.
    await useServers(ctx.db, lattice, [gpu], 4)
    gpu.behave('EmptyImage', { delayMs: 60_000 })
    await fetch(`${gpu.url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: { 1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } }, 2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'x' } } } }) })
    const pending = await lattice.service.create(owner, { templateId: 'text-to-image' })
    await eventMatching(lattice, pending.id, (e) => e.event.type === 'progress' && e.event.ahead !== undefined)
    expect(gpu.executor.pending.map((item) => item[1])).toContain(pending.id)
    expect((await lattice.service.cancel(owner, pending.id)).status).toBe('cancelled')
    await settle(lattice, pending.id)
    expect(gpu.executor.pending.map((item) => item[1])).not.toContain(pending.id)
    expect(gpu.queueEdits).toContainEqual({ delete: [pending.id] })
    for (const id of [queued.id, running.id, pending.id]) expect((await lattice.service.get(owner, id)).status).toBe('cancelled')
    expect(gpu.queued).not.toContain(queued.id)
    expect(gpu.executor.history.has(pending.id)).toBe(false)
  })

  it('re-queues a generation whose prompt ComfyUI lost in a restart, and finishes it', async () => {
    const gpu = await standIn()
    await useServers(ctx.db, lattice, [gpu])
    gpu.behave('KSampler', { delayMs: 1500, steps: 15 })
    const created = await lattice.service.create(owner, { templateId: 'text-to-image' })
    await eventMatching(lattice, created.id, (e) => e.event.type === 'progress' && e.event.step !== undefined)
    await gpu.restart()
    const events = await settle(lattice, created.id)
    const done = await lattice.service.get(owner, created.id)
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(done.outputs).toHaveLength(1)
    expect(gpu.queued.filter((id) => id === created.id)).toHaveLength(2)
    const requeued = events.find((e) => e.event.type === 'status' && e.event.status === 'queued' && e.event.error)
    expect(requeued?.event).toMatchObject({ error: expect.stringContaining('no longer knows this generation') })
  })

  it('refuses a generation when no server is set up, or none is reachable', async () => {
    await ctx.db.prisma.comfyServer.deleteMany()
    await expect(lattice.service.create(owner, { templateId: 'text-to-image' })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('No ComfyUI server is set up') })
    const gone = await standIn()
    await useServers(ctx.db, lattice, [gone])
    await gone.stop()
    await expect(lattice.service.create(owner, { templateId: 'text-to-image' })).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('No ComfyUI server is reachable') })
  })

  it('retries a generation cancelled while running at once; the cancelled run settling late does not end the retry', async () => {
    const gpu = await standIn()
    await useServers(ctx.db, lattice, [gpu])
    gpu.behave('KSampler', { delayMs: 30_000, steps: 30 })
    const created = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 30 } })
    await eventMatching(lattice, created.id, (e) => e.event.type === 'status' && e.event.status === 'running')
    await lattice.service.cancel(owner, created.id)
    gpu.behave('KSampler', { delayMs: 50, steps: 2 })
    const again = await lattice.service.retry(owner, created.id)
    expect(again.status).not.toBe('cancelled')
    await until(() => gpu.queued.length === 2)
    const done = await waitForEnd(lattice.service, owner, created.id)
    expect(done).toMatchObject({ status: 'succeeded', error: null })
    expect(done.promptId).toBe(gpu.queued[1])
  })

  it('retries a failed generation under a new prompt id and deletes it', async () => {
    const gpu = await standIn()
    await useServers(ctx.db, lattice, [gpu])
    gpu.failNode('KSampler', 'error')
    const created = await lattice.service.create(owner, { templateId: 'text-to-image', params: { steps: 1 } })
    await settle(lattice, created.id)
    expect((await lattice.service.get(owner, created.id)).status).toBe('failed')
    // Cleared first: the retried run can start (and end) before retry() returns its row.
    gpu.executor.failures.clear()
    const again = await lattice.service.retry(owner, created.id)
    expect(['queued', 'dispatched', 'running', 'succeeded']).toContain(again.status)
    expect(again.error).toBeNull()
    await expect(lattice.service.retry(owner, created.id)).rejects.toMatchObject({ code: 'CONFLICT' })
    await settle(lattice, created.id)
    const done = await lattice.service.get(owner, created.id)
    expect(done.status).toBe('succeeded')
    expect(done.promptId).not.toBe(created.id)
    expect(gpu.queued).toEqual([created.id, done.promptId])
    await lattice.service.delete(owner, created.id)
    await expect(lattice.service.get(owner, created.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await lattice.assets.get(owner, done.outputs[0]!)).toMatchObject({ status: 'ready' })
  })
})
