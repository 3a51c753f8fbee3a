import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { simpleWorkflow, startStandIn } from './helpers'
import type { ComfyStandIn } from './stand-in/server'

// The stand-in itself, read with a bare WebSocket and fetch, against comfyui-api.md.
let standIn: ComfyStandIn
beforeAll(async () => { standIn = await startStandIn() })
afterAll(async () => { await standIn.stop() })

function record(clientId: string) {
  const ws = new WebSocket(`${standIn.url.replace('http', 'ws')}/ws?clientId=${clientId}`)
  const messages: Array<{ type: string; data: Record<string, unknown> }> = []
  ws.on('message', (data, binary) => { if (!binary) messages.push(JSON.parse(data.toString())) })
  return { ws, messages, opened: new Promise((resolve) => ws.once('open', resolve)) }
}

describe('ComfyUI stand-in protocol', () => {
  it('greets with status + sid and sends sequence A for a normal run', async () => {
    const client = record('seq-a')
    await client.opened
    await vi.waitFor(() => expect(client.messages[0]?.data.sid).toBe('seq-a'))
    const res = await fetch(`${standIn.url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt: simpleWorkflow('seq/a'), client_id: 'seq-a', prompt_id: 'p-seq-a' }) })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ prompt_id: 'p-seq-a', number: expect.any(Number), node_errors: {} })
    await vi.waitFor(() => expect(client.messages.some((m) => m.type === 'executing' && m.data.node === null)).toBe(true))
    const types = client.messages.slice(1).filter((m) => m.type !== 'progress_state').map((m) => m.type === 'executing' ? `executing:${m.data.node}` : m.type)
    expect(types).toEqual(['status', 'status', 'execution_start', 'execution_cached', 'executing:1', 'executing:2', 'executed', 'execution_success', 'status', 'executing:null'])
    const history = await (await fetch(`${standIn.url}/history/p-seq-a`)).json() as Record<string, { status: { status_str: string }; outputs: Record<string, unknown> }>
    expect(history['p-seq-a']?.status.status_str).toBe('success')
    expect(history['p-seq-a']?.outputs['2']).toEqual({ images: [{ filename: 'a_00001_.png', subfolder: 'seq', type: 'output' }] })
    client.ws.close()
  })

  it('answers validation failures with ComfyUI shapes and queues nothing', async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${standIn.url}/api/prompt`, { method: 'POST', body: JSON.stringify(body) })
      return { status: res.status, body: await res.json() as { error: { type: string; message: string; details: string }; node_errors: Record<string, { errors: Array<{ type: string }>; class_type: string; dependent_outputs: string[] }> } }
    }
    const queuedBefore = standIn.queued.length
    expect((await post({})).body.error.type).toBe('no_prompt')
    const unknown = await post({ prompt: { 5: { class_type: 'Nope', inputs: {} } } })
    expect(unknown).toMatchObject({ status: 400, body: { error: { type: 'invalid_prompt', details: "Node ID '#5'" }, node_errors: {} } })
    const bad = simpleWorkflow()
    bad['1']!.inputs.width = 0
    const small = await post({ prompt: bad })
    expect(small.status).toBe(400)
    expect(small.body.error.type).toBe('prompt_outputs_failed_validation')
    expect(small.body.node_errors['1']).toMatchObject({ class_type: 'EmptyImage', dependent_outputs: ['2'], errors: [{ type: 'value_smaller_than_min', message: 'Value 0 smaller than min of 1', details: 'width' }] })
    const dangling = simpleWorkflow()
    dangling['2']!.inputs.images = ['99', 0]
    expect((await post({ prompt: dangling })).body.node_errors['2']?.errors[0]).toMatchObject({ type: 'exception_during_validation', details: "'99'" })
    expect(standIn.queued.length).toBe(queuedBefore)
  })

  it('lists a v3 node\'s combo as ["COMBO", {options}] and refuses a value outside them', async () => {
    const info = await (await fetch(`${standIn.url}/object_info/SaveAnimatedWEBP`)).json() as Record<string, { input: { required: Record<string, unknown> } }>
    expect(info.SaveAnimatedWEBP?.input.required.method).toEqual(['COMBO', { multiselect: false, options: ['default', 'fastest', 'slowest'] }])
    const prompt = {
      1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 2, color: 0 } },
      2: { class_type: 'SaveAnimatedWEBP', inputs: { images: ['1', 0], filename_prefix: 'v3/combo', fps: 8, lossless: false, quality: 90, method: 'best' } },
    }
    const res = await fetch(`${standIn.url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt }) })
    const body = await res.json() as { node_errors: Record<string, { errors: Array<{ type: string; details: string }> }> }
    expect(res.status).toBe(400)
    expect(body.node_errors['2']?.errors[0]).toMatchObject({ type: 'value_not_in_list', details: "method: 'best' not in ['default', 'fastest', 'slowest']" })
  })

  it('returns 200 with node_errors when only some outputs are valid', async () => {
    const prompt = { ...simpleWorkflow('partial/ok'), 3: { class_type: 'SaveImage', inputs: { images: ['1', 0] } } }
    const res = await fetch(`${standIn.url}/prompt`, { method: 'POST', body: JSON.stringify({ prompt, prompt_id: 'p-partial' }) })
    const body = await res.json() as { node_errors: Record<string, { errors: Array<{ type: string }> }> }
    expect(res.status).toBe(200)
    expect(body.node_errors['3']?.errors[0]?.type).toBe('required_input_missing')
  })
})
