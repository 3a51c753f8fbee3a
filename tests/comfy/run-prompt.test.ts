import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { runPrompt, type ComfyConnection, type RunProgress } from '../../server/comfy'
import type { ComfyMessage } from '../../server/comfy/protocol'
import type { Preview } from '../../server/comfy/socket'
import { connect, FAST, samplerWorkflow, simpleWorkflow, startStandIn } from './helpers'
import type { ComfyStandIn } from './stand-in/server'

let standIn: ComfyStandIn
let connection: ComfyConnection
beforeAll(async () => {
  standIn = await startStandIn()
  connection = connect(standIn)
})
afterEach(() => {
  standIn.refuseSockets(false)
  standIn.executor.behaviours.clear()
  standIn.executor.failures.clear()
})
afterAll(async () => {
  await connection.close()
  await standIn.stop()
})

describe('runPrompt', () => {
  it('runs a workflow, reporting node progress, sampler steps and previews, and reads the outputs from history', async () => {
    const progress: RunProgress[] = []
    const previews: Preview[] = []
    const outcome = await runPrompt(connection, samplerWorkflow({ steps: 5, seed: 11 }), { ...FAST, onProgress: (p) => progress.push(p), onPreview: (p) => previews.push(p) })
    expect(outcome.status).toBe('succeeded')
    if (outcome.status !== 'succeeded') return
    expect(outcome.files).toEqual([{ filename: expect.stringMatching(/^sampled_\d{5}_\.png$/), subfolder: 'lattice', type: 'output' }])
    expect(outcome.history.status?.status_str).toBe('success')
    const steps = progress.filter((p) => p.node === '3' && p.step).map((p) => p.step!.value)
    expect(steps).toEqual([1, 2, 3, 4, 5])
    expect(progress.some((p) => p.classType === 'KSampler')).toBe(true)
    expect(progress.every((p) => p.nodesTotal === 7)).toBe(true)
    const fractions = progress.map((p) => p.fraction)
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b))
    expect(fractions.at(-1)).toBe(1)
    expect(progress.some((p) => p.fraction > 0 && p.fraction < 1)).toBe(true)
    expect(previews).toHaveLength(5)
    expect(previews.every((p) => p.promptId === outcome.promptId && p.nodeId === '3' && p.mime === 'image/jpeg' && p.image[0] === 0xff && p.image[1] === 0xd8)).toBe(true)
  })

  it('does not finish on an early `executed`: a second output node still runs', async () => {
    // Node 2 (SaveImage) is an output and runs first; the sampler chain then takes its steps.
    const workflow = { ...simpleWorkflow('order/first'), ...samplerWorkflow({ steps: 3, seed: 21, prefix: 'order/second' }) }
    standIn.behave('KSampler', { delayMs: 300, steps: 3 })
    const executedSeen: string[] = []
    const onMessage = (m: ComfyMessage) => { if (m.type === 'executed') executedSeen.push(m.data.node) }
    connection.socket.on('message', onMessage)
    const outcome = await runPrompt(connection, workflow, FAST)
    connection.socket.off('message', onMessage)
    expect(executedSeen).toEqual(['2', '9'])
    expect(outcome.status).toBe('succeeded')
    if (outcome.status !== 'succeeded') return
    expect(outcome.files.map((f) => f.filename).sort()).toEqual([expect.stringMatching(/^first_/), expect.stringMatching(/^second_/)])
  })

  it('finishes a cached re-run, where no node executes and outputs are replayed', async () => {
    const workflow = simpleWorkflow('cached/run')
    const first = await runPrompt(connection, workflow, FAST)
    const progress: RunProgress[] = []
    const second = await runPrompt(connection, workflow, { ...FAST, onProgress: (p) => progress.push(p) })
    expect(first.status).toBe('succeeded')
    expect(second.status).toBe('succeeded')
    if (first.status !== 'succeeded' || second.status !== 'succeeded') return
    expect(second.promptId).not.toBe(first.promptId)
    expect(second.files).toEqual(first.files)
    expect(progress.at(-1)?.fraction).toBe(1)
  })

  it('finishes by polling when the socket is cut mid-run and cannot reconnect', async () => {
    standIn.behave('KSampler', { delayMs: 600, steps: 6 })
    const progress: RunProgress[] = []
    const run = runPrompt(connection, samplerWorkflow({ steps: 6, seed: 31 }), { ...FAST, onProgress: (p) => progress.push(p) })
    await vi.waitFor(() => expect(progress.some((p) => p.step && p.step.value >= 1)).toBe(true))
    standIn.refuseSockets(true)
    standIn.dropSockets()
    const outcome = await run
    expect(connection.socket.connected).toBe(false)
    expect(outcome.status).toBe('succeeded')
    if (outcome.status === 'succeeded') expect(outcome.files).toHaveLength(1)
    // The last steps were never seen as events: completion came from /history.
    expect(progress.filter((p) => p.step?.value === 6)).toHaveLength(0)
    standIn.refuseSockets(false)
    await vi.waitFor(() => expect(connection.socket.connected).toBe(true), { timeout: 10_000 })
  })

  it('reports a prompt lost in a server restart as "lost"', async () => {
    standIn.behave('KSampler', { delayMs: 5000, steps: 50 })
    const progress: RunProgress[] = []
    const run = runPrompt(connection, samplerWorkflow({ steps: 50, seed: 41 }), { ...FAST, onProgress: (p) => progress.push(p) })
    await vi.waitFor(() => expect(progress.some((p) => p.step)).toBe(true))
    await standIn.restart({ downMs: 200 })
    const outcome = await run
    expect(outcome.status).toBe('lost')
    const history = await (await fetch(`${standIn.url}/history/${outcome.promptId}`)).json()
    expect(history).toEqual({})
  })

  it('reports a prompt deleted from the queue by someone else as "lost"', async () => {
    standIn.behave('KSampler', { delayMs: 3000, steps: 30 })
    const blocker = runPrompt(connection, samplerWorkflow({ steps: 30, seed: 51 }), FAST)
    const states: RunProgress[] = []
    const waiting = runPrompt(connection, simpleWorkflow('lost/deleted'), { ...FAST, promptId: 'deleted-elsewhere', onProgress: (p) => states.push(p) })
    await vi.waitFor(() => expect(states.some((p) => p.state === 'pending' && p.ahead === 1)).toBe(true))
    await fetch(`${standIn.url}/queue`, { method: 'POST', body: JSON.stringify({ delete: ['deleted-elsewhere'] }) })
    expect((await waiting).status).toBe('lost')
    await fetch(`${standIn.url}/interrupt`, { method: 'POST', body: '{}' })
    expect((await blocker).status).toBe('failed')
  })
})
