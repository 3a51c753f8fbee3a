import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { afterEach, describe, expect, it } from 'vitest'
import { createModelManager, type ModelManagerOptions } from '../../../server/ml'
import type { ModelManager } from '../../../server/ml/manager'
import { AppError } from '../../../shared/errors'
import { depthGraph, ModelFolders, sha256 } from '../../support/model-fixtures'

const managers: ModelManager[] = []
const folders: ModelFolders[] = []
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close()
  for (const f of folders.splice(0)) await rm(f.root, { recursive: true, force: true })
})

async function setup(options: Partial<ModelManagerOptions> = {}, add?: (f: ModelFolders) => Promise<void>) {
  const f = await ModelFolders.create()
  folders.push(f)
  if (add) await add(f)
  else {
    await f.add({ id: 'depth-a', files: [{ path: 'model.onnx', bytes: depthGraph(), url: 'https://example.com/a/model.onnx' }] })
    await f.add({ id: 'depth-b', files: [{ path: 'onnx/model.onnx', bytes: depthGraph() }], install: 'Ask your admin for the weights.' })
  }
  const logs: string[] = []
  const manager = createModelManager({ manifestsDir: f.manifestsDir, modelsDir: f.modelsDir, device: 'auto', memoryBudgetBytes: 512 * 1024 * 1024, idleMs: 60_000, log: (m) => logs.push(m), ...options })
  managers.push(manager)
  await manager.start()
  return { manager, f, logs }
}

const pixels = () => new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [1, 3, 1, 2])
const rejection = async (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a rejection') }, (e: unknown) => e as Error)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
function gate() {
  let open!: () => void
  const opened = new Promise<void>((r) => { open = r })
  return { open, opened }
}

describe('model manager: loading and running', () => {
  it('loads a model lazily on first use, runs it, and shares the session across requests', async () => {
    const { manager } = await setup()
    expect((await manager.info('depth-a')).state).toBe('installed')
    const first = await manager.use('depth-a', async (model) => {
      const out = await model.sessions.model!.run({ pixel_values: pixels() })
      expect(Array.from(out.predicted_depth!.data as Float32Array)).toEqual([3, 4])
      return model.sessions.model
    })
    const info = await manager.info('depth-a')
    expect(info).toMatchObject({ state: 'loaded', device: 'cpu' })
    expect(info.memoryBytes).toBeGreaterThanOrEqual(info.sizeBytes)
    expect(info.lastUsedAt).not.toBeNull()
    const second = await manager.use('depth-a', async (model) => model.sessions.model)
    expect(second).toBe(first)
    expect((await manager.info('depth-b')).state).toBe('installed')
  })

  it('runs requests to one model one at a time, in arrival order, and different models side by side', async () => {
    const { manager } = await setup()
    let active = 0
    let most = 0
    const order: number[] = []
    const work = (n: number) => manager.use('depth-a', async () => {
      active++
      most = Math.max(most, active)
      order.push(n)
      await sleep(30)
      active--
    })
    await Promise.all([work(1), work(2), work(3)])
    expect(most).toBe(1)
    expect(order).toEqual([1, 2, 3])

    // A request to depth-a waits for one to depth-b to start: only possible if they overlap.
    const bStarted = gate()
    const bMayEnd = gate()
    const a = manager.use('depth-a', async () => {
      await Promise.race([bStarted.opened, sleep(5000).then(() => { throw new Error('depth-b never started alongside') })])
      bMayEnd.open()
      return 'a'
    })
    const b = manager.use('depth-b', async () => {
      bStarted.open()
      await bMayEnd.opened
      return 'b'
    })
    expect(await Promise.all([a, b])).toEqual(['a', 'b'])
  })

  it('rejects a request whose signal aborts while it waits in line, without running it', async () => {
    const { manager } = await setup()
    const hold = gate()
    const first = manager.use('depth-a', () => hold.opened)
    const controller = new AbortController()
    let ran = false
    const waiting = manager.use('depth-a', async () => { ran = true }, { signal: controller.signal })
    await sleep(20)
    controller.abort(new Error('the client went away'))
    expect((await rejection(waiting)).message).toBe('the client went away')
    hold.open()
    await first
    expect(ran).toBe(false)
  })

  it('refuses a missing model with how to install it, and finds files copied in by hand', async () => {
    const bytes = depthGraph()
    const { manager, f } = await setup({}, async (f) => {
      await f.add({ id: 'depth-a', files: [{ path: 'model.onnx', bytes, url: 'https://example.com/a/model.onnx', write: false }] })
      await f.add({ id: 'depth-b', files: [{ path: 'model.onnx', bytes, write: false }], install: 'Ask your admin for the weights.' })
    })
    expect((await manager.info('depth-a')).state).toBe('missing')
    const error = await rejection(manager.use('depth-a', async () => 1))
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('PRECONDITION_FAILED')
    expect(error.message).toContain('"Test depth-a" (depth-a) is not installed')
    expect(error.message).toContain('Settings → Models')
    expect(error.message).toContain(join(f.modelsDir, 'depth-a'))
    const manual = await rejection(manager.use('depth-b', async () => 1))
    expect(manual.message).toContain('Ask your admin for the weights.')
    expect(manual.message).not.toContain('Settings → Models')

    await f.writeFile('depth-b', 'model.onnx', bytes)
    expect((await manager.info('depth-b')).state).toBe('installed')
    expect(await manager.use('depth-b', async (m) => m.sessions.model!.inputNames)).toEqual(['pixel_values'])
  })

  it('marks a file of the wrong size corrupt and refuses it as failing verification', async () => {
    const { manager, f } = await setup()
    await f.writeFile('depth-a', 'model.onnx', depthGraph({ padFloats: 4 }))
    const info = await manager.info('depth-a')
    expect(info.state).toBe('corrupt')
    expect(info.problem).toMatch(/model\.onnx is \d+ bytes, expected \d+/)
    const error = await rejection(manager.use('depth-a', async () => 1))
    expect((error as AppError).code).toBe('PRECONDITION_FAILED')
    expect(error.message).toContain('failed verification')
  })

  it('verifies checksums on demand: a good model is marked verified, a changed one corrupt', async () => {
    const bytes = depthGraph()
    const other = depthGraph({ output: 'something_else' })
    const { manager } = await setup({}, async (f) => {
      await f.add({ id: 'depth-a', files: [{ path: 'model.onnx', bytes }] })
      // Same size, different content: only the checksum tells.
      await f.add({ id: 'depth-b', files: [{ path: 'model.onnx', bytes, sha256: sha256(new Uint8Array(bytes.byteLength)) }] })
    })
    expect(other.byteLength).not.toBe(0)
    expect(await manager.info('depth-b')).toMatchObject({ state: 'installed', verified: false })
    expect(await manager.verify('depth-a')).toMatchObject({ state: 'installed', verified: true, problem: null })
    const bad = await manager.verify('depth-b')
    expect(bad).toMatchObject({ state: 'corrupt', verified: false })
    expect(bad.problem).toContain('Checksum mismatch: model.onnx has sha256')
    const error = await rejection(manager.use('depth-b', async () => 1))
    expect((error as AppError).code).toBe('PRECONDITION_FAILED')
    expect(error.message).toContain('failed verification')
  })

  it('names the tensors a model file lacks compared with its manifest', async () => {
    const { manager } = await setup({}, async (f) => {
      await f.add({ id: 'depth-a', files: [{ path: 'model.onnx', bytes: depthGraph({ input: 'x', output: 'y' }) }] })
    })
    const error = await rejection(manager.use('depth-a', async () => 1))
    expect((error as AppError).code).toBe('PRECONDITION_FAILED')
    expect(error.message).toContain('lacks the inputs pixel_values and outputs predicted_depth')
    expect(error.message).toContain('the file has inputs x and outputs y')
    expect((await manager.info('depth-a')).state).toBe('installed')
  })

  it('unloads a model after it sat idle, and loads it again when asked', async () => {
    const { manager, logs } = await setup({ idleMs: 80 })
    const first = await manager.use('depth-a', async (m) => m.sessions.model)
    expect((await manager.info('depth-a')).state).toBe('loaded')
    await sleep(300)
    expect((await manager.info('depth-a')).state).toBe('installed')
    expect(logs.some((l) => l.includes('unloaded depth-a (idle)'))).toBe(true)
    const again = await manager.use('depth-a', async (m) => m.sessions.model)
    expect(again).not.toBe(first)
  })

  it('close() finishes the running request, turns queued ones away and releases every model', async () => {
    const { manager } = await setup()
    const hold = gate()
    const running = manager.use('depth-a', async () => { await hold.opened; return 'done' })
    await sleep(20)
    const queued = manager.use('depth-a', async () => 'never')
    const closing = manager.close()
    const turnedAway = await rejection(queued)
    expect((turnedAway as AppError).code).toBe('SERVICE_UNAVAILABLE')
    hold.open()
    expect(await running).toBe('done')
    await closing
    expect((await manager.info('depth-a')).state).toBe('installed')
    expect((await rejection(manager.use('depth-a', async () => 1)) as AppError).code).toBe('SERVICE_UNAVAILABLE')
  })
})

describe('model manager: device', () => {
  it('runs on the CPU when the CUDA provider library is not installed, and says so', async () => {
    const { manager, logs } = await setup({ device: 'auto' })
    const info = manager.deviceInfo()
    expect(info).toMatchObject({ preferred: 'auto', device: 'cpu' })
    expect(info.reason).toContain('The CUDA provider library is not installed')
    expect(info.reason).toContain('libonnxruntime_providers_cuda.so')
    expect(await manager.use('depth-a', async (m) => m.device)).toBe('cpu')
    expect(logs.filter((l) => l.includes('inference runs on'))).toHaveLength(1)
  })

  it('with cuda forced, tries CUDA, falls back to the CPU and keeps the error as the reason', async () => {
    const { manager, logs } = await setup({ device: 'cuda' })
    expect(manager.deviceInfo().reason).toContain('tried when the first model loads')
    expect(await manager.use('depth-a', async (m) => m.device)).toBe('cpu')
    const info = manager.deviceInfo()
    expect(info).toMatchObject({ preferred: 'cuda', device: 'cpu' })
    expect(info.reason).toContain('The CUDA provider failed to load (')
    expect(info.reason).toContain('Failed to load shared library')
    // Decided once: the second model does not try CUDA again.
    await manager.use('depth-b', async () => 1)
    expect(logs.filter((l) => l.includes('inference runs on'))).toHaveLength(1)
  })
})

describe('model manager: manifests', () => {
  it('fails start-up naming a bad manifest file', async () => {
    const f = await ModelFolders.create()
    folders.push(f)
    await f.add({ id: 'depth-a', files: [{ path: 'model.onnx', bytes: depthGraph() }] })
    await f.writeManifest('broken.json', JSON.stringify({ id: 'Bad Id', name: 'x' }))
    const manager = createModelManager({ manifestsDir: f.manifestsDir, modelsDir: f.modelsDir, device: 'cpu', memoryBudgetBytes: 1e9, idleMs: 1000, log: () => {} })
    const error = await rejection(manager.start())
    expect(error.message).toContain(join(f.manifestsDir, 'broken.json'))
    expect(error.message).toContain('id:')
    await writeFile(join(f.manifestsDir, 'broken.json'), '{ not json')
    expect((await rejection(manager.start())).message).toContain('broken.json is not valid JSON')
  })

  it('refuses a manifest whose file path climbs out of the model folder', async () => {
    const f = await ModelFolders.create()
    folders.push(f)
    await f.writeManifest('x.json', JSON.stringify({ id: 'x', name: 'x', task: 'depth', licence: 'MIT', source: 'https://example.com', files: [{ path: '../../etc/passwd', url: null, sha256: 'a'.repeat(64), size: 1 }], sessions: { model: { file: '../../etc/passwd', inputs: ['a'], outputs: ['b'] } } }))
    const manager = createModelManager({ manifestsDir: f.manifestsDir, modelsDir: f.modelsDir, device: 'cpu', memoryBudgetBytes: 1e9, idleMs: 1000, log: () => {} })
    expect((await rejection(manager.start())).message).toContain('x.json is invalid: files.0.path')
  })
})
