import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ComfyError, ComfyHttp, findWorkflowProblems, ObjectInfoCache, validateWorkflow, type ObjectInfo } from '../../server/comfy'
import { samplerWorkflow, simpleWorkflow, startStandIn } from './helpers'
import type { ComfyStandIn } from './stand-in/server'

let standIn: ComfyStandIn
let info: ObjectInfo
beforeAll(async () => {
  standIn = await startStandIn()
  info = await new ComfyHttp({ baseUrl: standIn.url }).getObjectInfo()
})
afterAll(async () => { await standIn.stop() })

function thrown(run: () => void): ComfyError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ComfyError)
    return error as ComfyError
  }
  throw new Error('expected validateWorkflow to throw')
}

describe('validateWorkflow against /object_info', () => {
  it('accepts valid workflows', () => {
    expect(findWorkflowProblems(simpleWorkflow(), info)).toEqual([])
    expect(findWorkflowProblems(samplerWorkflow(), info)).toEqual([])
  })

  it('refuses an unknown class_type naming the node', () => {
    const error = thrown(() => validateWorkflow({ ...simpleWorkflow(), 12: { class_type: 'ADE_AnimateDiffLoader', inputs: {} } }, info))
    expect(error.kind).toBe('missing_node')
    expect(error.message).toContain('Node #12')
    expect(error.message).toContain('ADE_AnimateDiffLoader')
  })

  it('refuses undeclared, mistyped, out-of-range and badly linked inputs, naming node, class and input', () => {
    const workflow = samplerWorkflow()
    workflow['3']!.inputs.stepz = 20
    workflow['3']!.inputs.cfg = 'high'
    workflow['5']!.inputs.width = 8
    workflow['8']!.inputs.vae = ['4', 0]
    workflow['9']!.inputs.images = [8, 0]
    const problems = findWorkflowProblems(workflow, info)
    const byInput = Object.fromEntries(problems.map((p) => [`${p.nodeId}.${p.input}`, p.message]))
    expect(byInput['3.stepz']).toMatch(/^Node #3 \(KSampler\), input "stepz": this node has no such input/)
    expect(byInput['3.cfg']).toMatch(/needs a number \(FLOAT\), got "high"/)
    expect(byInput['5.width']).toMatch(/8 is below the minimum 16/)
    expect(byInput['8.vae']).toMatch(/receives MODEL from node #4 but needs VAE/)
    expect(byInput['9.images']).toMatch(/a link must be \["<node id as a string>"/)
    expect(problems).toHaveLength(5)
    const error = thrown(() => validateWorkflow(workflow, info))
    expect(error.kind).toBe('invalid_workflow')
    expect(error.message).toContain('(2 more problems)')
  })

  it('refuses a missing required input, a link to a missing node and a wrong output slot', () => {
    const workflow = samplerWorkflow()
    delete workflow['3']!.inputs.seed
    workflow['8']!.inputs.samples = ['99', 0]
    workflow['8']!.inputs.vae = ['4', 3]
    const problems = findWorkflowProblems(workflow, info).map((p) => p.message)
    expect(problems).toContain('Node #3 (KSampler), input "seed": required but missing.')
    expect(problems).toContain('Node #8 (VAEDecode), input "samples": links to node #99, which is not in the workflow.')
    expect(problems).toContain('Node #8 (VAEDecode), input "vae": links to output 3 of node #4 (CheckpointLoaderSimple), which has 3 outputs.')
  })

  it('checks a v3 node\'s ["COMBO", {options}] input like a v1 combo', () => {
    const workflow = {
      1: { class_type: 'EmptyImage', inputs: { width: 8, height: 8, batch_size: 2, color: 0 } },
      2: { class_type: 'SaveAnimatedWEBP', inputs: { images: ['1', 0], filename_prefix: 'v3/combo', fps: 8, lossless: false, quality: 90, method: 'default' } },
    }
    expect(findWorkflowProblems(workflow, info)).toEqual([])
    workflow['2'].inputs.method = 'best'
    expect(findWorkflowProblems(workflow, info).map((p) => p.message)).toEqual(['Node #2 (SaveAnimatedWEBP), input "method": "best" is not one of the allowed values ("default", "fastest", "slowest").'])
  })

  it('reports a model missing from a combo with the available files', () => {
    const error = thrown(() => validateWorkflow(samplerWorkflow({ ckpt: 'flux1-dev.safetensors' }), info))
    expect(error.kind).toBe('missing_model')
    expect(error.message).toContain('"flux1-dev.safetensors"')
    expect(error.message).toContain('sd15.safetensors, sdxl_base.safetensors')
  })

  it('refuses a workflow without an output node', () => {
    const error = thrown(() => validateWorkflow({ 1: simpleWorkflow()['1']! }, info))
    expect(error.message).toMatch(/no output node/)
  })
})

describe('ObjectInfoCache', () => {
  it('fetches once, shares concurrent requests and refreshes after its lifetime', async () => {
    let now = 0
    const http = new ComfyHttp({ baseUrl: standIn.url })
    let calls = 0
    const original = http.getObjectInfo.bind(http)
    http.getObjectInfo = (signal) => { calls++; return original(signal) }
    const cache = new ObjectInfoCache(http, 1000, () => now)
    const [a, b] = await Promise.all([cache.get(), cache.get()])
    expect(a).toBe(b)
    expect(calls).toBe(1)
    await cache.get()
    expect(calls).toBe(1)
    standIn.models.checkpoints!.push('new.safetensors')
    now = 1001
    const fresh = await cache.get()
    expect(calls).toBe(2)
    expect(fresh.CheckpointLoaderSimple?.input.required?.ckpt_name?.[0]).toContain('new.safetensors')
  })
})
