import { rm } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createModelManager, type ModelManagerOptions, type NativeLoader } from '../../../server/ml'
import type { ModelManager } from '../../../server/ml/manager'
import { AppError } from '../../../shared/errors'
import { depthGraph, ModelFolders } from '../../support/model-fixtures'

const MB = 1024 * 1024
const managers: ModelManager[] = []
const folders: ModelFolders[] = []
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close()
  for (const f of folders.splice(0)) await rm(f.root, { recursive: true, force: true })
})

/** A transformers-runtime loader that records what it loads and releases. */
function recordingLoader(fail?: (id: string) => Error | null) {
  const events: string[] = []
  const loader: NativeLoader = {
    async load(manifest, dir, device) {
      const error = fail?.(manifest.id)
      if (error) throw error
      events.push(`load ${manifest.id}`)
      return { native: { id: manifest.id, dir, device }, dispose: async () => { events.push(`dispose ${manifest.id}`) } }
    },
  }
  return { loader, events }
}

async function setup(ids: string[], sizeBytes: number, options: Partial<ModelManagerOptions>) {
  const f = await ModelFolders.create()
  folders.push(f)
  for (const id of ids) await f.add({ id, runtime: 'transformers', files: [{ path: 'weights.bin', bytes: new Uint8Array(sizeBytes).fill(id.length) }] })
  const manager = createModelManager({ manifestsDir: f.manifestsDir, modelsDir: f.modelsDir, device: 'cpu', memoryBudgetBytes: 1024 * MB, idleMs: 60_000, log: () => {}, ...options })
  managers.push(manager)
  await manager.start()
  return { manager, f }
}

const rejection = async (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a rejection') }, (e: unknown) => e as Error)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('model manager: memory budget', () => {
  it('unloads the least recently used model when loading another would exceed the budget', async () => {
    const { loader, events } = recordingLoader()
    const { manager } = await setup(['m-a', 'm-b', 'm-c'], 4 * MB, { memoryBudgetBytes: 10 * MB, nativeLoaders: { transformers: loader } })
    await manager.use('m-a', async () => {})
    await manager.use('m-b', async () => {})
    await manager.use('m-a', async () => {})
    await manager.use('m-c', async (model) => expect(model.native).toMatchObject({ id: 'm-c', device: 'cpu' }))
    expect(events).toEqual(['load m-a', 'load m-b', 'dispose m-b', 'load m-c'])
    const states = Object.fromEntries((await manager.list()).map((m) => [m.id, m.state]))
    expect(states).toEqual({ 'm-a': 'loaded', 'm-b': 'installed', 'm-c': 'loaded' })
  })

  it('never unloads a model while a request uses it: the next load waits for it', async () => {
    const { loader, events } = recordingLoader()
    const { manager } = await setup(['m-a', 'm-b'], 4 * MB, { memoryBudgetBytes: 6 * MB, nativeLoaders: { transformers: loader } })
    let release!: () => void
    const holding = manager.use('m-a', () => new Promise<void>((r) => { release = r }))
    await sleep(20)
    let bRan = false
    const b = manager.use('m-b', async () => { bRan = true })
    await sleep(100)
    expect(bRan).toBe(false)
    expect(events).toEqual(['load m-a'])
    release()
    await holding
    await b
    expect(bRan).toBe(true)
    expect(events).toEqual(['load m-a', 'dispose m-a', 'load m-b'])
  })

  it('ONNX models: loading a second that does not fit beside the first unloads the first', async () => {
    const f = await ModelFolders.create()
    folders.push(f)
    const bytes = depthGraph({ padFloats: 256 * 1024 })
    await f.add({ id: 'depth-a', files: [{ path: 'model.onnx', bytes }] })
    await f.add({ id: 'depth-b', files: [{ path: 'model.onnx', bytes }] })
    const manager = createModelManager({ manifestsDir: f.manifestsDir, modelsDir: f.modelsDir, device: 'cpu', memoryBudgetBytes: Math.floor(bytes.byteLength * 1.5), idleMs: 60_000, log: () => {} })
    managers.push(manager)
    await manager.start()
    await manager.use('depth-a', async () => {})
    expect((await manager.info('depth-a')).state).toBe('loaded')
    await manager.use('depth-b', async () => {})
    expect((await manager.info('depth-a')).state).toBe('installed')
    expect((await manager.info('depth-b')).state).toBe('loaded')
  })

  it('refuses a model larger than the whole budget, naming LATTICE_AI_MEMORY_MB', async () => {
    const { loader, events } = recordingLoader()
    const { manager } = await setup(['m-big'], 3 * MB, { memoryBudgetBytes: 2 * MB, nativeLoaders: { transformers: loader } })
    const error = await rejection(manager.use('m-big', async () => 1))
    expect((error as AppError).code).toBe('PRECONDITION_FAILED')
    expect(error.message).toContain('needs about 3 MB, more than the 2 MB')
    expect(error.message).toContain('LATTICE_AI_MEMORY_MB')
    expect(events).toEqual([])
  })

  it('turns running out of memory during a load into advice about LATTICE_AI_MEMORY_MB and keeps serving', async () => {
    const { loader, events } = recordingLoader((id) => (id === 'm-a' ? new Error('std::bad_alloc') : null))
    const { manager } = await setup(['m-a', 'm-b'], 1 * MB, { nativeLoaders: { transformers: loader } })
    const error = await rejection(manager.use('m-a', async () => 1))
    expect(error).toBeInstanceOf(AppError)
    expect(error.message).toContain('ran out of memory loading the AI model "Test m-a"')
    expect(error.message).toContain('LATTICE_AI_MEMORY_MB')
    expect(await manager.use('m-b', async () => 'ok')).toBe('ok')
    expect((await manager.info('m-a')).state).toBe('installed')
    // An error that is not about memory passes through unchanged.
    const other = recordingLoader(() => new Error('tokenizer.json is malformed'))
    const { manager: second } = await setup(['m-c'], 1 * MB, { nativeLoaders: { transformers: other.loader } })
    expect((await rejection(second.use('m-c', async () => 1))).message).toBe('tokenizer.json is malformed')
    expect(events).toEqual(['load m-b'])
  })

  it('owns transformers models: idle unload and close() dispose them', async () => {
    const { loader, events } = recordingLoader()
    const { manager } = await setup(['m-a', 'm-b'], 1 * MB, { idleMs: 60, nativeLoaders: { transformers: loader } })
    await manager.use('m-a', async () => {})
    await sleep(250)
    expect(events).toEqual(['load m-a', 'dispose m-a'])
    await manager.use('m-b', async () => {})
    await manager.close()
    expect(events).toEqual(['load m-a', 'dispose m-a', 'load m-b', 'dispose m-b'])
  })

  it('refuses a transformers model when no loader was given', async () => {
    const { manager } = await setup(['m-a'], 1 * MB, {})
    const error = await rejection(manager.use('m-a', async () => 1))
    expect((error as AppError).code).toBe('SERVICE_UNAVAILABLE')
    expect(error.message).toContain('transformers runtime')
  })
})
