import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ComfyError, isTransientComfyError, runPrompt, type ComfyConnection } from '../../server/comfy'
import type { Workflow } from '../../server/comfy/protocol'
import { connect, FAST, samplerWorkflow, simpleWorkflow, startStandIn } from './helpers'
import type { ComfyStandIn } from './stand-in/server'

let standIn: ComfyStandIn
let connection: ComfyConnection
beforeAll(async () => {
  standIn = await startStandIn()
  connection = connect(standIn)
})
afterEach(() => {
  standIn.executor.failures.clear()
  standIn.executor.behaviours.clear()
  standIn.models.checkpoints = ['sd15.safetensors', 'sdxl_base.safetensors']
})
afterAll(async () => {
  await connection.close()
  await standIn.stop()
})

const postsFor = (id: string) => standIn.received.filter((r) => r.promptId === id)
const queuedFor = (id: string) => standIn.queued.filter((q) => q === id)

async function rejection(promise: Promise<unknown>): Promise<ComfyError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(ComfyError)
  return error as ComfyError
}

describe('submitting prompts', () => {
  it('does not submit twice when a 500 came after the prompt was queued', async () => {
    standIn.failNext(1, { status: 500, afterQueueing: true })
    const outcome = await runPrompt(connection, simpleWorkflow('submit/after'), { ...FAST, promptId: 'p-500-after' })
    expect(outcome.status).toBe('succeeded')
    expect(postsFor('p-500-after')).toHaveLength(1)
    expect(queuedFor('p-500-after')).toHaveLength(1)
  })

  it('submits again once when a 500 came before queueing', async () => {
    standIn.failNext(1, { status: 500, afterQueueing: false })
    const outcome = await runPrompt(connection, simpleWorkflow('submit/before'), { ...FAST, promptId: 'p-500-before' })
    expect(outcome.status).toBe('succeeded')
    expect(postsFor('p-500-before')).toHaveLength(1) // the first POST was answered before the body was even read
    expect(standIn.received.filter((r) => r.promptId === 'p-500-before' && r.status === 200)).toHaveLength(1)
    expect(queuedFor('p-500-before')).toHaveLength(1)
  })

  it('gives up with a transient error when every attempt fails', async () => {
    standIn.failNext(3, { status: 502 })
    const error = await rejection(runPrompt(connection, simpleWorkflow('submit/down'), { ...FAST, promptId: 'p-502', submitAttempts: 3 }))
    expect(isTransientComfyError(error)).toBe(true)
    expect(error.kind).toBe('server_error')
    expect(error.message).toMatch(/HTTP 502/)
    expect(queuedFor('p-502')).toHaveLength(0)
  })

  it('does not retry a 400 and names the node and input', async () => {
    const workflow = simpleWorkflow()
    workflow['1']!.inputs.width = 0
    const before = standIn.received.length
    const error = await rejection(runPrompt(connection, workflow, { ...FAST, validate: false, promptId: 'p-400' }))
    expect(standIn.received.length - before).toBe(1)
    expect(error.kind).toBe('invalid_workflow')
    expect(error.transient).toBe(false)
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.message).toContain('Node #1 (EmptyImage), input "width"')
    expect(error.message).toContain('Value 0 smaller than min of 1')
  })

  it('names an unknown node type from a 400 invalid_prompt', async () => {
    const workflow = { ...simpleWorkflow(), 7: { class_type: 'VHS_VideoCombine', inputs: {} } }
    const error = await rejection(runPrompt(connection, workflow, { ...FAST, validate: false }))
    expect(error.kind).toBe('missing_node')
    expect(error.message).toContain('Node #7')
    expect(error.message).toContain('VHS_VideoCombine')
  })

  it('reports a model file the server lacks, listing the ones it has (from a 400)', async () => {
    standIn.models.checkpoints = Array.from({ length: 25 }, (_, i) => `model_${i}.safetensors`)
    const error = await rejection(runPrompt(connection, samplerWorkflow({ ckpt: 'dreamshaper_8.safetensors' }), { ...FAST, validate: false }))
    expect(error.kind).toBe('missing_model')
    expect(error.message).toContain('"dreamshaper_8.safetensors"')
    expect(error.message).toContain('Node #4 (CheckpointLoaderSimple)')
    // More than 20 options: ComfyUI's own error omits them, so they come from /object_info.
    expect(error.message).toContain('model_0.safetensors')
    expect(error.details?.available).toHaveLength(25)
  })

  it('refuses a partially valid workflow instead of running only some outputs', async () => {
    standIn.behave('EmptyImage', { delayMs: 1000 })
    const workflow: Workflow = { ...simpleWorkflow('partial/keep'), 3: { class_type: 'SaveImage', inputs: { images: ['1', 0] } } }
    workflow['1']!.inputs.color = 0x123456 // not cached from earlier runs, so it takes its delay
    const error = await rejection(runPrompt(connection, workflow, { ...FAST, validate: false, promptId: 'p-partial-run' }))
    expect(error.kind).toBe('invalid_workflow')
    expect(error.message).toContain('Node #3 (SaveImage), input "filename_prefix"')
    expect(standIn.interrupts).toContainEqual({ prompt_id: 'p-partial-run' })
    // The valid output never completes: it is stopped before its node runs.
    const entry = await vi.waitFor(async () => {
      const found = await connection.http.getHistoryEntry('p-partial-run')
      expect(found).toBeDefined()
      return found!
    }, { timeout: 10_000 })
    expect(entry.status?.status_str).toBe('error')
    expect(entry.status?.messages.map(([type]) => type)).toContain('execution_interrupted')
  })
})

describe('execution errors', () => {
  it('classifies out of GPU memory with advice', async () => {
    standIn.failNode('KSampler', 'oom')
    const outcome = await runPrompt(connection, samplerWorkflow({ seed: 101 }), FAST)
    expect(outcome.status).toBe('failed')
    if (outcome.status !== 'failed') return
    expect(outcome.error.kind).toBe('out_of_memory')
    expect(outcome.error.transient).toBe(false)
    expect(outcome.error.message).toContain('ran out of GPU memory in node #3 (KSampler)')
    expect(outcome.error.message).toMatch(/Lower the resolution/)
  })

  it('classifies a model file that vanished at run time', async () => {
    standIn.failNode('CheckpointLoaderSimple', 'missing_model_file')
    // A loader that ran before is cached and would not run again, so use the other checkpoint.
    const outcome = await runPrompt(connection, samplerWorkflow({ seed: 102, ckpt: 'sdxl_base.safetensors' }), FAST)
    expect(outcome.status === 'failed' && outcome.error.kind).toBe('missing_model')
    if (outcome.status === 'failed') expect(outcome.error.message).toContain('vanished.safetensors')
  })

  it('reports any other node failure with the node and the first line of the exception', async () => {
    standIn.failNode('VAEDecode', 'error')
    const outcome = await runPrompt(connection, samplerWorkflow({ seed: 103 }), FAST)
    expect(outcome.status === 'failed' && outcome.error.kind).toBe('node_failed')
    if (outcome.status === 'failed') expect(outcome.error.message).toContain('node #8 (VAEDecode): mat1 and mat2 shapes cannot be multiplied')
  })
})
