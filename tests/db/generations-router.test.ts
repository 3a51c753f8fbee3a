import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ComfyStandIn } from '../comfy/stand-in/server'
import { BACKENDS } from './harness'
import { startComfyRouters, type Caller } from './comfy-router-harness'
import { settle, type Lattice } from './generations-harness'
import type { JobEventEnvelope } from '../../shared/jobs'
import textToImage from '../../workflows/text-to-image/workflow.json'

/** In process, a tracked() event arrives as the raw `[id, data, symbol]` envelope; over HTTP as `{id, data}`. */
function unwrap(event: unknown): { id: string; data: JobEventEnvelope } {
  if (Array.isArray(event)) return { id: String(event[0]), data: event[1] as JobEventEnvelope }
  return event as { id: string; data: JobEventEnvelope }
}

describe.each(BACKENDS)('comfy router on %s', (backend) => {
  let lattice: Lattice
  let gpu: ComfyStandIn
  let admin: Caller
  let user: Caller
  let other: Caller
  let dispose: (() => Promise<void>) | undefined

  beforeAll(async () => { ({ lattice, gpu, admin, user, other, dispose } = await startComfyRouters(backend)) })
  afterAll(async () => { await dispose?.() })

  it('lets only admins add servers, never returns the auth header, and tests a server', async () => {
    await expect(user.comfy.servers.add({ name: 'gpu', url: gpu.url })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    const { id } = await admin.comfy.servers.add({ name: 'gpu', url: `${gpu.url}/`, authHeader: 'Authorization: Bearer very-secret-token', maxConcurrent: 2 })
    await expect(admin.comfy.servers.add({ name: 'again', url: gpu.url })).rejects.toMatchObject({ code: 'CONFLICT' })
    const { servers, paused } = await user.comfy.servers.list()
    expect(paused).toBeNull()
    expect(servers).toHaveLength(1)
    expect(servers[0]).toMatchObject({ id, name: 'gpu', url: gpu.url, maxConcurrent: 2, enabled: true, authHeader: 'Authorization: ••••', health: { reachable: true, version: '0.3.64', gpu: { name: 'NVIDIA GeForce RTX 4090' } } })
    expect(JSON.stringify(servers)).not.toContain('very-secret-token')
    // …but it is what Lattice sends to the server.
    expect(gpu.authorizations.length).toBeGreaterThan(0)
    expect(new Set(gpu.authorizations)).toEqual(new Set(['Bearer very-secret-token']))
    expect(await admin.comfy.servers.test({ id })).toMatchObject({ reachable: true, queueDepth: 0 })
    expect(await admin.comfy.servers.test({ url: 'http://127.0.0.1:1' })).toMatchObject({ reachable: false, error: expect.stringContaining('cannot be reached') })
    // Testing connects the server to any address: a user could map what it reaches.
    await expect(user.comfy.servers.test({ url: 'http://127.0.0.1:1' })).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(admin.comfy.servers.add({ name: 'creds', url: 'http://user:pass@127.0.0.1:8188' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await expect(admin.comfy.servers.add({ name: 'file', url: 'file:///etc/passwd' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await admin.comfy.servers.update({ id, maxConcurrent: 1 })
    expect((await user.comfy.servers.list()).servers[0]).toMatchObject({ maxConcurrent: 1, authHeader: 'Authorization: ••••' })
  })

  it('marks each template with whether the servers can run it, from their object_info', async () => {
    const templates = await user.comfy.templates.list()
    for (const template of templates.filter((t) => t.builtin)) expect(template.readiness, template.id).toEqual({ runnable: true, missingNodes: [], missingModels: [] })
  })

  it('lists the shipped templates and resolves choices from the server\'s object_info', async () => {
    const templates = await user.comfy.templates.list()
    expect(templates.filter((t) => t.builtin).map((t) => t.id)).toEqual(['text-to-image', 'image-to-image', 'image-to-video-wan', 'depth-controlnet', 'wan-fun-control'])
    const t2i = await user.comfy.templates.get({ id: 'text-to-image' })
    expect(t2i.choicesFromServer).toBe(true)
    const checkpoint = t2i.parameters.find((p) => p.name === 'checkpoint')
    expect(checkpoint?.options).toEqual(['sd15.safetensors', 'sdxl_base.safetensors'])
    const wan = await user.comfy.templates.get({ id: 'image-to-video-wan' })
    expect(wan.parameters.find((p) => p.name === 'model')?.options).toEqual(['wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors', 'wan2.1_fun_control_1.3B_bf16.safetensors'])
    expect(wan.manifest.inputs).toEqual([expect.objectContaining({ name: 'start_image', target: { node: '52', input: 'image' } })])
  })

  it('takes an uploaded API-format workflow with its mapping, refuses a mapping that does not fit, and runs it', async () => {
    const manifest = { parameters: [{ name: 'subject', type: 'string', targets: [{ node: '6', input: 'text' }] }, { name: 'steps', type: 'int', default: 2, min: 1, max: 10, targets: [{ node: '3', input: 'steps' }] }], outputs: ['9'] }
    await expect(user.comfy.workflows.upload({ name: 'Broken', workflow: textToImage, manifest: { ...manifest, outputs: ['99'] } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('Output node #99') })
    await expect(user.comfy.workflows.upload({ name: 'Broken', workflow: textToImage, manifest: { ...manifest, parameters: [{ name: 'x', type: 'int', default: 1, targets: [{ node: '3', input: 'stepz' }] }] } }))
      .rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('input "stepz" of node #3 (KSampler)') })
    await expect(user.comfy.workflows.upload({ name: 'Not API', workflow: { nodes: [], links: [] }, manifest })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('Export (API)') })
    const { id } = await user.comfy.workflows.upload({ name: 'My portrait flow', workflow: textToImage, manifest })
    expect((await user.comfy.templates.list()).find((t) => t.id === id)).toMatchObject({ name: 'My portrait flow', builtin: false })
    await expect(other.comfy.templates.get({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const created = await user.comfy.generations.create({ templateId: id, params: { subject: 'a cat astronaut' } })
    const ids: string[] = []
    for await (const e of await user.comfy.generations.watch({ id: created.id })) ids.push(unwrap(e).id)
    expect(ids.length).toBeGreaterThan(3)
    expect(await user.comfy.generations.get({ id: created.id })).toMatchObject({ status: 'succeeded', templateName: 'My portrait flow' })
    const sent = gpu.received.find((r) => r.promptId === created.id)!.body.prompt as Record<string, { inputs: Record<string, unknown> }>
    expect(sent['6']!.inputs.text).toBe('a cat astronaut')
    expect(sent['7']!.inputs.text).toBe((textToImage as Record<string, { inputs: Record<string, unknown> }>)['7']!.inputs.text)
    // Resuming after the second event yields the rest.
    const rest: string[] = []
    for await (const e of await user.comfy.generations.watch({ id: created.id, lastEventId: ids[1] })) rest.push(unwrap(e).id)
    expect(rest).toEqual(ids.slice(2))
  })

  it('lists generations with filters and cursor pages, and keeps them private to their owner', async () => {
    gpu.failNode('KSampler', 'error')
    const failed = await user.comfy.generations.create({ templateId: 'text-to-image', params: { steps: 1 } })
    await settle(lattice, failed.id)
    gpu.executor.failures.clear()
    const made = []
    for (let i = 0; i < 3; i++) made.push(await user.comfy.generations.create({ templateId: 'text-to-image', params: { steps: 1 } }))
    await Promise.all(made.map((g) => settle(lattice, g.id)))
    const onlyFailed = await user.comfy.generations.list({ status: ['failed'] })
    expect(onlyFailed.items.map((g) => g.id)).toEqual([failed.id])
    const pages: string[] = []
    let cursor: string | undefined
    do {
      const page = await user.comfy.generations.list({ templateId: 'text-to-image', limit: 2, cursor })
      pages.push(...page.items.map((g) => g.id))
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    expect(pages).toEqual([...made].reverse().map((g) => g.id).concat(failed.id))
    await expect(other.comfy.generations.get({ id: failed.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(other.comfy.generations.cancel({ id: failed.id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect((await other.comfy.generations.list({})).items).toEqual([])
    await expect(user.comfy.generations.retry({ id: made[0]!.id })).rejects.toMatchObject({ code: 'CONFLICT' })
    await user.comfy.generations.delete({ id: failed.id })
    expect((await user.comfy.generations.list({ status: ['failed'] })).items).toEqual([])
  })

  it('refuses to remove a server with running generations', async () => {
    const { servers } = await admin.comfy.servers.list()
    gpu.behave('KSampler', { delayMs: 60_000, steps: 600 })
    const created = await user.comfy.generations.create({ templateId: 'text-to-image' })
    for await (const e of await user.comfy.generations.watch({ id: created.id })) if (unwrap(e).data.event.type === 'status' && (unwrap(e).data.event as { status: string }).status === 'running') break
    await expect(admin.comfy.servers.remove({ id: servers[0]!.id })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('running on this server') })
    await user.comfy.generations.cancel({ id: created.id })
    await admin.comfy.servers.remove({ id: servers[0]!.id })
    expect((await admin.comfy.servers.list()).servers).toEqual([])
  })
})
