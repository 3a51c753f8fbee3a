import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manifestFromMapping, mappingFor } from '../../shared/comfy/mapping'
import type { Workflow } from '../../shared/comfy/workflow'
import type { ComfyStandIn } from '../comfy/stand-in/server'
import { BACKENDS } from './harness'
import { startComfyRouters, type Caller } from './comfy-router-harness'
import { settle, type Lattice } from './generations-harness'
import textToImageJson from '../../workflows/text-to-image/workflow.json'

const textToImage = textToImageJson as Workflow
/** What ComfyUI's "Save" writes: the editor's graph, not the API format. */
const editorFile = { last_node_id: 9, last_link_id: 9, nodes: [{ id: 3, type: 'KSampler', widgets_values: [1, 'fixed', 20] }], links: [[1, 4, 0, 3, 0, 'MODEL']], version: 0.4 }

describe.each(BACKENDS)('uploading and mapping workflows on %s', (backend) => {
  let lattice: Lattice
  let gpu: ComfyStandIn
  let admin: Caller
  let user: Caller
  let other: Caller
  let dispose: (() => Promise<void>) | undefined

  beforeAll(async () => { ({ lattice, gpu, admin, user, other, dispose } = await startComfyRouters(backend)) })
  afterAll(async () => { await dispose?.() })

  it('inspects a workflow with no server: types from the values, and a warning saying so', async () => {
    const inspection = await user.comfy.workflows.inspect({ workflow: textToImage, name: 'Portraits' })
    expect(inspection.server).toBeNull()
    expect(inspection.warnings).toEqual([expect.stringContaining('No ComfyUI server answered')])
    expect(inspection.manifest.name).toBe('Portraits')
    expect(inspection.manifest.parameters.map((p) => p.name)).toContain('negative')
    expect(inspection.inputs.find((i) => i.node === '4' && i.input === 'ckpt_name')).toMatchObject({ type: 'choice' })
    expect(inspection.inputs.find((i) => i.node === '4')!.options).toBeUndefined()
    await expect(user.comfy.workflows.inspect({ workflow: editorFile })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/"Save".*Export \(API\)/) })
    await expect(user.comfy.workflows.inspect({ workflow: [1, 2] })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('Export (API)') })
  })

  it('types the inputs from a server that answers and names the node types it lacks', async () => {
    await admin.comfy.servers.add({ name: 'gpu', url: gpu.url })
    const inspection = await user.comfy.workflows.inspect({ workflow: textToImage })
    expect(inspection).toMatchObject({ server: 'gpu', missingClasses: [], warnings: [], problems: [] })
    expect(inspection.inputs.find((i) => i.node === '4' && i.input === 'ckpt_name')!.options).toEqual(['sd15.safetensors', 'sdxl_base.safetensors'])
    expect(inspection.inputs.find((i) => i.node === '3' && i.input === 'steps')).toMatchObject({ min: 1, max: 10000 })
    const custom = { ...textToImage, 20: { class_type: 'VHS_VideoCombine', inputs: { images: ['8', 0], frame_rate: 8 } } }
    const lacking = await user.comfy.workflows.inspect({ workflow: custom })
    expect(lacking.missingClasses).toEqual(['VHS_VideoCombine'])
    expect(lacking.warnings).toEqual([expect.stringMatching(/"gpu" does not have the node type VHS_VideoCombine\. Install the custom node/)])
    expect(lacking.nodes.find((n) => n.id === '20')).toMatchObject({ known: false, output: true })
  })

  it('uploads the mapped draft, lists it as the user\'s own, and runs it with the mapped values', async () => {
    const inspection = await user.comfy.workflows.inspect({ workflow: textToImage, name: 'Lantern flow' })
    const mapping = mappingFor(inspection, inspection.manifest)
    Object.assign(mapping.parameters.find((r) => r.key === '5.batch_size')!, { expose: true, name: 'images', label: 'Images', max: 4 })
    const { manifest } = manifestFromMapping(mapping)
    const { id } = await user.comfy.workflows.upload({ name: 'Lantern flow', workflow: textToImage, manifest: manifest! })

    const list = await user.comfy.templates.list()
    expect(list.find((t) => t.id === id)).toMatchObject({ name: 'Lantern flow', builtin: false, mine: true })
    expect(list.filter((t) => t.builtin).every((t) => !t.mine)).toBe(true)
    expect((await other.comfy.templates.list()).some((t) => t.id === id)).toBe(false)

    const created = await user.comfy.generations.create({ templateId: id, params: { prompt: 'a lantern in fog', images: 2, steps: 3 } })
    await settle(lattice, created.id)
    expect(await user.comfy.generations.get({ id: created.id })).toMatchObject({ status: 'succeeded', templateName: 'Lantern flow' })
    const sent = gpu.received.find((r) => r.promptId === created.id)!.body.prompt as Workflow
    expect(sent['6']!.inputs.text).toBe('a lantern in fog')
    expect(sent['5']!.inputs.batch_size).toBe(2)
    expect(sent['3']!.inputs.steps).toBe(3)
    await expect(user.comfy.generations.create({ templateId: id, params: { images: 5 } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'Images: at most 4.' })
  })

  it('re-maps an uploaded workflow for its owner only, and checks the new mapping', async () => {
    const id = (await user.comfy.templates.list()).find((t) => t.name === 'Lantern flow')!.id
    const stored = await user.comfy.workflows.get({ id })
    expect(stored).toMatchObject({ id, name: 'Lantern flow', workflow: textToImage })
    expect(stored.inspection.server).toBe('gpu')
    const mapping = mappingFor(stored.inspection, stored.manifest)
    expect(mapping.parameters.find((r) => r.key === '5.batch_size')).toMatchObject({ expose: true, name: 'images', max: 4 })

    mapping.parameters.find((r) => r.key === '6.text')!.name = 'subject'
    mapping.parameters.find((r) => r.key === '5.batch_size')!.expose = false
    const { manifest } = manifestFromMapping(mapping)
    await expect(other.comfy.workflows.get({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(other.comfy.workflows.update({ id, manifest: manifest! })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(other.comfy.workflows.remove({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(user.comfy.workflows.update({ id, manifest: { ...manifest!, outputs: ['42'] } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('Output node #42') })
    await expect(user.comfy.workflows.update({ id: 'text-to-image', manifest: manifest! })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('shipped with Lattice') })
    await expect(user.comfy.workflows.remove({ id: 'text-to-image' })).rejects.toMatchObject({ code: 'BAD_REQUEST' })

    await user.comfy.workflows.update({ id, name: 'Lantern flow 2', manifest: manifest! })
    const template = await user.comfy.templates.get({ id })
    expect(template.manifest.name).toBe('Lantern flow 2')
    expect(template.parameters.map((p) => p.name)).toContain('subject')
    expect(template.parameters.map((p) => p.name)).not.toContain('images')
    expect(template.parameters.find((p) => p.name === 'checkpoint')!.options).toEqual(['sd15.safetensors', 'sdxl_base.safetensors'])
    const created = await user.comfy.generations.create({ templateId: id, params: { subject: 'a moth at a window', steps: 2 } })
    await settle(lattice, created.id)
    expect((gpu.received.find((r) => r.promptId === created.id)!.body.prompt as Workflow)['6']!.inputs.text).toBe('a moth at a window')
  })

  it('removes an uploaded workflow for its owner', async () => {
    const id = (await user.comfy.templates.list()).find((t) => t.mine)!.id
    await user.comfy.workflows.remove({ id })
    expect((await user.comfy.templates.list()).some((t) => t.id === id)).toBe(false)
    await expect(user.comfy.workflows.get({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(user.comfy.workflows.remove({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
