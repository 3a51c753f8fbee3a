import { copyFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { execFile } from 'node:child_process'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient, type JobEventEnvelope, type LatticeClient } from '../../client'
import { ComfyStandIn } from '../comfy/stand-in/server'
import { MODELS } from '../db/generations-harness'
import { BOOTSTRAP_TOKEN, startServer, type RunningServer } from './server'

/** The built server with a ComfyUI stand-in from LATTICE_COMFY_URLS, driven through the typed client. */
describe('ComfyUI generations on the built server', () => {
  let gpu: ComfyStandIn
  let server: RunningServer
  let lattice: LatticeClient
  beforeAll(async () => {
    gpu = await ComfyStandIn.start({ models: structuredClone(MODELS) })
    server = await startServer({ env: { LATTICE_COMFY_URLS: gpu.url } })
    lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
  })
  afterAll(async () => {
    const dataDir = server?.dataDir
    await server?.dispose()
    if (dataDir) await rm(dataDir, { recursive: true, force: true })
    await gpu?.stop()
  })

  it('takes its server from the environment, runs a generation with live events and stores the image as an asset', async () => {
    const { servers } = await lattice.api.comfy.servers.list.query()
    expect(servers).toEqual([expect.objectContaining({ url: gpu.url, source: 'env', enabled: true })])
    const created = await lattice.api.comfy.generations.create.mutate({ templateId: 'text-to-image', params: { prompt: 'a paper boat', steps: 4, width: 64, height: 64 } })
    const events: JobEventEnvelope[] = []
    expect(await lattice.waitForGeneration(created.id, (e) => events.push(e))).toBe('succeeded')
    expect(events.filter((e) => e.event.type === 'status').map((e) => (e.event as { status: string }).status)).toEqual(['queued', 'dispatched', 'running', 'succeeded'])
    expect(events.some((e) => e.event.type === 'progress' && e.event.max === 4)).toBe(true)
    const done = await lattice.api.comfy.generations.get.query({ id: created.id })
    const bytes = await lattice.downloadAsset(done.outputs[0]!)
    expect(Buffer.from(bytes.subarray(1, 4)).toString('latin1')).toBe('PNG')
  })

  it('finishes a generation exactly once when the server process stops mid-run and starts again', async () => {
    gpu.behave('KSampler', { delayMs: 4000, steps: 40 })
    const created = await lattice.api.comfy.generations.create.mutate({ templateId: 'text-to-image', params: { steps: 40 } })
    await new Promise<void>((resolve, reject) => {
      const subscription = lattice.api.comfy.generations.watch.subscribe({ id: created.id }, {
        onData: ({ data }) => { if (data.event.type === 'progress' && data.event.step !== undefined) { subscription.unsubscribe(); resolve() } },
        onError: reject,
      })
    })
    expect(await server.stop()).toBe(0)
    server = await startServer({ env: { LATTICE_COMFY_URLS: gpu.url }, dataDir: server.dataDir })
    lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
    expect(await lattice.waitForGeneration(created.id)).toBe('succeeded')
    const done = await lattice.api.comfy.generations.get.query({ id: created.id })
    expect(done.outputs).toHaveLength(1)
    expect(gpu.queued.filter((id) => id === created.id)).toHaveLength(1)
    expect(gpu.interrupts).toEqual([])
  })

  it('resumes a generation when the server process is killed mid-run and starts again, re-attaching instead of submitting it twice', async () => {
    gpu.behave('KSampler', { delayMs: 4000, steps: 40 })
    const created = await lattice.api.comfy.generations.create.mutate({ templateId: 'text-to-image', params: { steps: 40, seed: 4242 } })
    await new Promise<void>((resolve, reject) => {
      const subscription = lattice.api.comfy.generations.watch.subscribe({ id: created.id }, {
        onData: ({ data }) => { if (data.event.type === 'progress' && data.event.step !== undefined) { subscription.unsubscribe(); resolve() } },
        onError: reject,
      })
    })
    // No shutdown: the job stays active in pg-boss, its lease (the run's time limit + 15 min) far
    // beyond this test's time limit. The restarted server hands it back at once and resumes it.
    await server.kill()
    server = await startServer({ env: { LATTICE_COMFY_URLS: gpu.url }, dataDir: server.dataDir })
    lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
    const statuses: string[] = []
    expect(await lattice.waitForGeneration(created.id, (e) => { if (e.event.type === 'status') statuses.push(e.event.status) })).toBe('succeeded')
    expect(statuses.filter((s) => s === 'succeeded')).toHaveLength(1)
    const done = await lattice.api.comfy.generations.get.query({ id: created.id })
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(done.outputs).toHaveLength(1)
    expect(gpu.queued.filter((id) => id === created.id)).toHaveLength(1)
    expect(gpu.interrupts).toEqual([])
  })

  it('examples/generate-batch.ts queues ten generations and prints their progress until all finish', async () => {
    gpu.behave('KSampler', { delayMs: 50, steps: 8 })
    const { stdout } = await promisify(execFile)(resolve('node_modules/.bin/tsx'), [resolve('examples/generate-batch.ts'), 'a glass teapot'], { env: { ...process.env, LATTICE_URL: server.url, LATTICE_TOKEN: BOOTSTRAP_TOKEN } })
    expect(stdout).toContain(`server ${new URL(gpu.url).host} ${gpu.url}: ComfyUI 0.3.64`)
    expect(stdout).toContain('queued 10 generations')
    expect(stdout).toMatch(/#\d+ 100%/)
    expect(stdout).toContain('10 of 10 succeeded')
    const sent = gpu.received.filter((r) => (r.body.prompt as Record<string, { inputs: Record<string, unknown> }>)['6']?.inputs.text === 'a glass teapot')
    expect(sent).toHaveLength(10)
  })

  it('examples/upload-workflow.ts uploads an API-format export, prints the drafted form and runs it', async () => {
    gpu.behave('KSampler', { delayMs: 20, steps: 2 })
    const work = await mkdtemp(join(tmpdir(), 'lattice-workflow-'))
    try {
      await copyFile(resolve('workflows/text-to-image/workflow.json'), join(work, 'lantern_api.json'))
      const { stdout } = await promisify(execFile)(resolve('node_modules/.bin/tsx'), [resolve('examples/upload-workflow.ts'), 'lantern_api.json', 'a paper lantern in fog'], { cwd: work, env: { ...process.env, LATTICE_URL: server.url, LATTICE_TOKEN: BOOTSTRAP_TOKEN } })
      expect(stdout).toContain(`checked against ${new URL(gpu.url).host}`)
      expect(stdout).toContain('parameter prompt (string) → #6.text')
      expect(stdout).toContain('parameter checkpoint (choice) → #4.ckpt_name')
      expect(stdout).toContain('outputs: #9')
      const id = /uploaded as template ([0-9a-f-]{36})/.exec(stdout)?.[1]
      expect(id).toBeDefined()
      expect(stdout).toMatch(/succeeded: assets [0-9a-f-]{36}/)
      const templates = await lattice.api.comfy.templates.list.query()
      expect(templates.find((template) => template.id === id)).toMatchObject({ name: 'lantern', mine: true })
      const sent = gpu.received.filter((r) => (r.body.prompt as Record<string, { inputs: Record<string, unknown> }>)['6']?.inputs.text === 'a paper lantern in fog')
      expect(sent).toHaveLength(1)
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  })

  it('exports a depth video and starts a Wan Fun Control generation with it in one step', async () => {
    const project = await lattice.api.projects.create.mutate({ name: 'Export and generate', width: 64, height: 64, fps: 8 })
    const opened = await lattice.api.projects.get.query({ id: project.id })
    const main = opened.document.compositions[opened.document.mainCompositionId]!
    const card = { id: 'card', kind: 'solid', inPoint: 0, outPoint: 9, threeD: true, data: { color: '#ffffff', width: 64, height: 64 }, transform: { position: { value: [32, 32, 0], keyframes: [{ id: 'a', frame: 0, value: [32, 32, 0] }, { id: 'b', frame: 8, value: [32, 32, -200] }] } } }
    await lattice.api.projects.save.mutate({ id: project.id, revision: opened.revision, document: { ...opened.document, compositions: { [main.id]: { ...main, frameCount: 9, layers: [card] } } } })
    const { export: done } = await lattice.exportComposition({
      projectId: project.id, compositionId: main.id,
      outputs: [{ kind: 'video', format: 'h264', pass: { type: 'depth' } }],
      generate: { templateId: 'wan-fun-control', params: { frames: 9, steps: 2, width: 64, height: 64 } },
    })
    const logs: string[] = []
    await lattice.waitForJob(done.job.id, ({ event }) => { if (event.type === 'log') logs.push(event.message) })
    expect({ generationId: done.generationId, logs }).toEqual({ generationId: expect.stringMatching(/^[0-9a-f-]{36}$/), logs: expect.not.arrayContaining([expect.stringContaining('could not start')]) })
    expect(await lattice.waitForGeneration(done.generationId!)).toBe('succeeded')
    const generation = await lattice.api.comfy.generations.get.query({ id: done.generationId! })
    expect(generation.inputs).toEqual({ control_video: done.files[0]!.assetId })
    const prompt = gpu.received.find((r) => r.promptId === generation.id)!.body.prompt as Record<string, { class_type: string; inputs: Record<string, unknown> }>
    const file = String(Object.values(prompt).find((node) => node.class_type === 'LoadVideo')!.inputs.file)
    const { readFile } = await import('node:fs/promises')
    expect(await readFile(join(gpu.folders.input, file))).toEqual(Buffer.from(await lattice.downloadAsset(done.files[0]!.assetId)))
  })
})
