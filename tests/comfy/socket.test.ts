import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { backoffDelay, ComfySocket, decodeBinaryFrame } from '../../server/comfy'
import { parseMessage } from '../../server/comfy/socket'
import type { ComfyMessage } from '../../server/comfy/protocol'
import { startStandIn } from './helpers'
import type { ComfyStandIn } from './stand-in/server'

let standIn: ComfyStandIn
beforeAll(async () => { standIn = await startStandIn() })
afterAll(async () => { await standIn.stop() })

const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b }

describe('backoff', () => {
  it('grows exponentially up to the cap, with jitter within [ceiling/2, ceiling]', () => {
    const options = { initialMs: 100, maxMs: 1000, factor: 2 }
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, options, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000])
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500])
  })
})

describe('binary frames and messages', () => {
  it('decodes type 1 previews, type 3 text, type 4 previews with metadata, and skips unknown types', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9])
    expect(decodeBinaryFrame(Buffer.concat([u32(1), u32(2), jpeg]))).toEqual({ kind: 'preview', mime: 'image/png', image: jpeg })
    const meta = Buffer.from(JSON.stringify({ node_id: '3', prompt_id: 'p', display_node_id: '3', image_type: 'image/jpeg' }))
    expect(decodeBinaryFrame(Buffer.concat([u32(4), u32(meta.length), meta, jpeg]))).toEqual({ kind: 'preview', mime: 'image/jpeg', image: jpeg, nodeId: '3', promptId: 'p' })
    expect(decodeBinaryFrame(Buffer.concat([u32(3), u32(2), Buffer.from('12'), Buffer.from('50% done')]))).toEqual({ kind: 'text', nodeId: '12', text: '50% done' })
    expect(decodeBinaryFrame(Buffer.concat([u32(9), jpeg]))).toEqual({ kind: 'unknown', event: 9 })
    expect(decodeBinaryFrame(Buffer.from([1, 2]))).toEqual({ kind: 'unknown', event: -1 })
  })

  it('ignores unknown and malformed text messages and keeps the reconnect replay without prompt_id', () => {
    expect(parseMessage('{"type":"logs","data":{"entries":[]}}')).toBeUndefined()
    expect(parseMessage('not json')).toBeUndefined()
    expect(parseMessage('{"type":"progress","data":{"value":1}}')).toBeUndefined()
    expect(parseMessage('{"type":"executing","data":{"node":"3"}}')).toEqual({ type: 'executing', data: { node: '3' } })
  })
})

describe('ComfySocket', () => {
  it('connects with our clientId, reconnects with back-off after drops, and stops when closed', async () => {
    const socket = new ComfySocket({ baseUrl: standIn.url, clientId: 'socket-test', backoff: { initialMs: 20, maxMs: 200, factor: 2 } })
    const delays: number[] = []
    const opened: Array<{ sid: string; reconnected: boolean }> = []
    socket.on('close', ({ reconnectInMs }) => { if (reconnectInMs !== null) delays.push(reconnectInMs) })
    socket.on('open', (event) => opened.push(event))
    expect(await socket.ready(3000)).toBe(true)
    expect(opened).toEqual([{ sid: 'socket-test', reconnected: false }])
    expect(standIn.hub.sockets.has('socket-test')).toBe(true)

    standIn.refuseSockets(true)
    const attemptsBefore = standIn.hub.attempts
    standIn.dropSockets()
    await vi.waitFor(() => expect(standIn.hub.attempts - attemptsBefore).toBeGreaterThanOrEqual(4), { timeout: 10_000 })
    expect(socket.connected).toBe(false)
    // Each failed attempt waits longer (ceilings 20, 40, 80, 160 ms; jitter keeps each in its upper half).
    expect(delays.slice(0, 4).map((d, i) => d >= 10 * 2 ** i && d <= 20 * 2 ** i)).toEqual([true, true, true, true])
    standIn.refuseSockets(false)
    await vi.waitFor(() => expect(socket.connected).toBe(true), { timeout: 10_000 })
    expect(opened.at(-1)).toEqual({ sid: 'socket-test', reconnected: true })
    expect(socket.connections).toBe(2)

    await socket.close()
    const attemptsAfterClose = standIn.hub.attempts
    expect(socket.connected).toBe(false)
    await vi.waitFor(() => expect(standIn.hub.sockets.has('socket-test')).toBe(false))
    standIn.dropSockets()
    // A closed socket must not come back: a reconnect would be seen as a new upgrade request.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(standIn.hub.attempts).toBe(attemptsAfterClose)
  })

  it('negotiates preview metadata and emits typed messages', async () => {
    const socket = new ComfySocket({ baseUrl: standIn.url, clientId: 'flags-test' })
    const messages: ComfyMessage[] = []
    socket.on('message', (m) => messages.push(m))
    await socket.ready(3000)
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'feature_flags')).toBe(true))
    expect(messages[0]).toMatchObject({ type: 'status', data: { sid: 'flags-test' } })
    await socket.close()
  })
})
