import { createHmac } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AuthService } from '../../server/services/auth/auth.service'
import type { ComfyStandIn } from '../comfy/stand-in/server'
import { BACKENDS, freshDatabase } from './harness'
import { eventMatching, settle, startLattice, startStandIn, statusesOf, useServers, type Lattice } from './generations-harness'

describe.each(BACKENDS)('generations across restarts and instances on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let dir: string
  let owner: string
  const running: Lattice[] = []
  const standIns: ComfyStandIn[] = []
  const lattice = async (options: Parameters<typeof startLattice>[2] = {}) => {
    const l = await startLattice(ctx.db, dir, options)
    running.push(l)
    return l
  }
  const standIn = async () => {
    const s = await startStandIn()
    standIns.push(s)
    return s
  }

  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    dir = await mkdtemp(join(tmpdir(), 'lattice-gen-'))
    owner = (await new AuthService(ctx.db).createUser({ email: 'gen@example.com', password: 'password-g' })).id
  })
  afterEach(async () => {
    for (const l of running.splice(0)) await l.stop()
    await Promise.all(standIns.splice(0).map((s) => s.stop()))
  })
  afterAll(async () => {
    await ctx?.dispose()
    await rm(dir, { recursive: true, force: true })
  })

  it('finishes a generation exactly once when the Lattice process running it stops mid-run and another starts', async () => {
    const gpu = await standIn()
    const first = await lattice()
    await useServers(ctx.db, first, [gpu])
    gpu.behave('KSampler', { delayMs: 2000, steps: 20 })
    const created = await first.service.create(owner, { templateId: 'text-to-image' })
    await eventMatching(first, created.id, (e) => e.event.type === 'progress' && e.event.step !== undefined)
    // A second one waits for the server's only slot when the process stops: it must not be lost or cancelled.
    const waiting = await first.service.create(owner, { templateId: 'text-to-image', params: { steps: 1 } })
    // It waits in the queue (holding no worker slot) for the server's only place.
    expect((await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: waiting.jobId } })).status).toBe('queued')
    await first.stop()
    // The prompt keeps running on ComfyUI while no Lattice watches it.
    expect(gpu.interrupts).toEqual([])
    const second = await lattice()
    const events = await settle(second, created.id)
    const done = await second.service.get(owner, created.id)
    // The second run re-attached to the prompt ComfyUI was still running.
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(done.outputs).toHaveLength(1)
    expect(gpu.queued.filter((id) => id === created.id)).toHaveLength(1)
    expect(statusesOf(events).filter((s) => s === 'succeeded')).toHaveLength(1)
    expect(await ctx.db.prisma.asset.count({ where: { id: { in: done.outputs } } })).toBe(1)
    await settle(second, waiting.id)
    expect(await second.service.get(owner, waiting.id)).toMatchObject({ status: 'succeeded' })
    expect(gpu.queued.filter((id) => id === waiting.id)).toHaveLength(1)
  })

  it('submits a generation whose run died after choosing a server but before ComfyUI had the prompt', async () => {
    const gpu = await standIn()
    const front = await lattice({ worker: false })
    const [serverId] = await useServers(ctx.db, front, [gpu])
    const created = await front.service.create(owner, { templateId: 'text-to-image', params: { steps: 1 } })
    // What a process killed between recording its choice of server and submitting leaves behind.
    await ctx.db.prisma.generation.update({ where: { id: created.id }, data: { serverId, promptId: created.id } })
    await ctx.db.prisma.job.update({ where: { id: created.jobId }, data: { status: 'dispatched' } })
    const worker = await lattice()
    await settle(worker, created.id)
    expect(await worker.service.get(owner, created.id)).toMatchObject({ status: 'succeeded', serverId, attempts: 1 })
    expect(gpu.queued).toEqual([created.id])
  })

  it('never runs one generation twice with two app instances on one database', async () => {
    const gpus = [await standIn(), await standIn()]
    const a = await lattice()
    const b = await lattice()
    await useServers(ctx.db, a, gpus, 2)
    for (const gpu of gpus) gpu.behave('KSampler', { delayMs: 200, steps: 2 })
    const created = []
    for (let i = 0; i < 8; i++) created.push(await (i % 2 ? a : b).service.create(owner, { templateId: 'text-to-image', params: { steps: 2 } }))
    await Promise.all(created.map((g) => settle(a, g.id)))
    const queued = gpus.flatMap((g) => g.queued)
    expect([...queued].sort()).toEqual(created.map((g) => g.id).sort())
    for (const g of created) expect((await a.service.get(owner, g.id)).status).toBe('succeeded')
    // Each job ran once, on its first attempt (its row ends just after the generation does).
    for (const g of created) for await (const _ of a.queue.events.watch(g.jobId, 0)) { /* until the job ends */ }
    const jobs = await ctx.db.prisma.job.findMany({ where: { id: { in: created.map((g) => g.jobId) } } })
    expect(jobs.every((j) => j.status === 'succeeded' && j.attempts === 1)).toBe(true)
  })

  it('posts a signed webhook on success and failure, retried until the receiver accepts', async () => {
    const secret = 'webhook-secret-for-tests'
    const received: Array<{ body: string; signature: string | undefined; status: number }> = []
    const receiver: Server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const status = received.length === 0 ? 503 : 204
        received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers['x-lattice-signature'] as string | undefined, status })
        res.writeHead(status).end()
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    try {
      const gpu = await standIn()
      const l = await lattice({ webhookSecret: secret })
      await useServers(ctx.db, l, [gpu])
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`
      const created = await l.service.create(owner, { templateId: 'text-to-image', params: { steps: 1 }, webhookUrl: url })
      await settle(l, created.id)
      while (received.length < 2) await new Promise((resolve) => setTimeout(resolve, 50))
      expect(received.map((r) => r.status)).toEqual([503, 204])
      for (const delivery of received) {
        const [t, v1] = delivery.signature!.split(',').map((part) => part.split('=')[1])
        expect(v1).toBe(createHmac('sha256', secret).update(`${t}.${delivery.body}`).digest('hex'))
        expect(createHmac('sha256', 'wrong').update(`${t}.${delivery.body}`).digest('hex')).not.toBe(v1)
        const payload = JSON.parse(delivery.body) as { event: string; generation: { id: string; status: string; outputs: string[] } }
        expect(payload).toMatchObject({ event: 'generation.succeeded', generation: { id: created.id, status: 'succeeded' } })
        expect(payload.generation.outputs).toHaveLength(1)
      }
      // A failure is announced too.
      gpu.failNode('KSampler', 'oom')
      const failing = await l.service.create(owner, { templateId: 'text-to-image', params: { steps: 1 }, webhookUrl: url })
      await settle(l, failing.id)
      while (received.length < 3) await new Promise((resolve) => setTimeout(resolve, 50))
      const failure = JSON.parse(received[2]!.body) as { event: string; generation: { id: string; errorKind: string; error: string } }
      expect(failure).toMatchObject({ event: 'generation.failed', generation: { id: failing.id, errorKind: 'out_of_memory', error: expect.stringContaining('GPU memory') } })
    } finally {
      await new Promise((resolve) => receiver.close(resolve))
    }
  })

  it('pauses the queue with a reason when storage is full, and continues after resume', async () => {
    const gpu = await standIn()
    const l = await lattice()
    await useServers(ctx.db, l, [gpu])
    // Writing the result into the data folder fails as a full disk does.
    let full = true
    const adopt = l.assets.adopt.bind(l.assets)
    l.assets.adopt = async (...args) => {
      if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
      return adopt(...args)
    }
    const created = await l.service.create(owner, { templateId: 'text-to-image', params: { steps: 1 } })
    await eventMatching(l, created.id, (e) => e.event.type === 'status' && e.event.status === 'queued' && (e.event.error ?? '').includes('Storage is full'))
    const { paused } = await l.servers.list()
    expect(paused?.reason).toContain('Storage is full')
    full = false
    await l.servers.resume()
    await settle(l, created.id)
    expect((await l.service.get(owner, created.id)).status).toBe('succeeded')
    expect((await l.servers.list()).paused).toBeNull()
  })
})
