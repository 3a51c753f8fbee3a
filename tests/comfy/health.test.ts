import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ComfyHttp, getHealth, gpuName } from '../../server/comfy'
import { startStandIn } from './helpers'
import type { ComfyStandIn } from './stand-in/server'

let standIn: ComfyStandIn
beforeAll(async () => { standIn = await startStandIn() })
afterAll(async () => { await standIn.stop() })

describe('server health', () => {
  it('reports version, GPU, VRAM and queue depth', async () => {
    standIn.behave('EmptyImage', { delayMs: 2000 })
    const prompt = { 1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 1, color: 0 } }, 2: { class_type: 'PreviewImage', inputs: { images: ['1', 0] } } }
    for (const id of ['h1', 'h2']) await fetch(`${standIn.url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt, prompt_id: id }) })
    const health = await getHealth(new ComfyHttp({ baseUrl: `${standIn.url}/api/` }))
    expect(health).toEqual({
      reachable: true,
      version: '0.3.64',
      gpu: { name: 'NVIDIA GeForce RTX 4090', vramTotal: 25_386_352_640, vramUsed: 5_386_352_640 },
      queueDepth: 2,
    })
    await fetch(`${standIn.url}/queue`, { method: 'POST', body: JSON.stringify({ clear: true }) })
    await fetch(`${standIn.url}/interrupt`, { method: 'POST' })
  })

  it('reports an unreachable server with a message, not an exception', async () => {
    const other = await startStandIn()
    const url = other.url
    await other.stop()
    const health = await getHealth(new ComfyHttp({ baseUrl: url, timeoutMs: 2000 }))
    expect(health.reachable).toBe(false)
    if (!health.reachable) expect(health.error).toMatch(/cannot be reached \(ECONNREFUSED\)/)
  })

  it('classifies a slow server as a timeout', async () => {
    standIn.latencyMs = 1500
    try {
      const health = await getHealth(new ComfyHttp({ baseUrl: standIn.url, timeoutMs: 200 }))
      expect(health.reachable).toBe(false)
      if (!health.reachable) expect(health.error).toMatch(/did not answer within/)
    } finally {
      standIn.latencyMs = 0
    }
  })

  it('shortens device names', () => {
    expect(gpuName('cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync')).toBe('NVIDIA GeForce RTX 4090')
    expect(gpuName('cpu')).toBe('cpu')
  })
})
