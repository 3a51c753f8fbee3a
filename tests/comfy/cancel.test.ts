import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { runPrompt, type ComfyConnection, type RunProgress } from '../../server/comfy'
import { connect, FAST, samplerWorkflow, simpleWorkflow, startStandIn } from './helpers'
import type { ComfyStandIn } from './stand-in/server'

let standIn: ComfyStandIn
let connection: ComfyConnection
beforeAll(async () => {
  standIn = await startStandIn()
  connection = connect(standIn)
})
afterEach(() => standIn.executor.behaviours.clear())
afterAll(async () => {
  await connection.close()
  await standIn.stop()
})

describe('cancel and timeout', () => {
  it('interrupts a running prompt by its id', async () => {
    standIn.behave('KSampler', { delayMs: 5000, steps: 50 })
    const controller = new AbortController()
    const progress: RunProgress[] = []
    const run = runPrompt(connection, samplerWorkflow({ seed: 201, steps: 50 }), { ...FAST, signal: controller.signal, onProgress: (p) => progress.push(p) })
    await vi.waitFor(() => expect(progress.some((p) => p.step)).toBe(true))
    controller.abort()
    const outcome = await run
    expect(outcome.status).toBe('cancelled')
    expect(standIn.interrupts).toContainEqual({ prompt_id: outcome.promptId })
    const entry = await connection.http.getHistoryEntry(outcome.promptId)
    expect(entry?.status?.messages.map(([type]) => type)).toContain('execution_interrupted')
  })

  it('deletes a pending prompt from the queue without interrupting the running one', async () => {
    standIn.behave('KSampler', { delayMs: 1500, steps: 15 })
    const blocker = runPrompt(connection, samplerWorkflow({ seed: 202, steps: 15 }), FAST)
    const controller = new AbortController()
    const progress: RunProgress[] = []
    const pending = runPrompt(connection, simpleWorkflow('cancel/pending'), { ...FAST, promptId: 'cancel-pending', signal: controller.signal, onProgress: (p) => progress.push(p) })
    await vi.waitFor(() => expect(progress.some((p) => p.state === 'pending')).toBe(true))
    const interruptsBefore = standIn.interrupts.length
    controller.abort()
    expect((await pending).status).toBe('cancelled')
    expect(standIn.queueEdits).toContainEqual({ delete: ['cancel-pending'] })
    expect(standIn.queued.filter((id) => id === 'cancel-pending')).toHaveLength(1)
    expect(standIn.interrupts.slice(interruptsBefore).filter((i) => i.prompt_id === 'cancel-pending').length).toBe(standIn.interrupts.slice(interruptsBefore).length)
    expect((await blocker).status).toBe('succeeded')
    expect(await connection.http.getHistoryEntry('cancel-pending')).toBeUndefined()
  })

  it('stops a run that exceeds its time limit and fails it with an actionable timeout', async () => {
    standIn.behave('KSampler', { delayMs: 20_000, steps: 200 })
    const outcome = await runPrompt(connection, samplerWorkflow({ seed: 203, steps: 200 }), { ...FAST, timeoutMs: 800 })
    expect(outcome.status).toBe('failed')
    if (outcome.status !== 'failed') return
    expect(outcome.error.kind).toBe('timeout')
    expect(outcome.error.message).toMatch(/took longer than 1 s and was stopped/)
    expect(standIn.interrupts).toContainEqual({ prompt_id: outcome.promptId })
    const entry = await connection.http.getHistoryEntry(outcome.promptId)
    expect(entry?.status?.status_str).toBe('error')
  })
})
