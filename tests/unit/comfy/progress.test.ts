import { describe, expect, it } from 'vitest'
import { nodesToRun, ProgressTracker, trackMessage } from '../../../server/comfy/progress'
import { plannedSteps } from '../../../server/comfy/planned-steps'
import { comfyMessageSchema } from '../../../server/comfy/protocol'
import type { Workflow } from '../../../shared/comfy/workflow'
import { node } from './fixtures'

const P = 'prompt-1'

/** Text to image with 20 steps: six one-step nodes and a sampler. */
const TXT2IMG: Workflow = {
  4: node('CheckpointLoaderSimple', { ckpt_name: 'sd15.safetensors' }),
  5: node('EmptyLatentImage', { width: 512, height: 512, batch_size: 1 }),
  6: node('CLIPTextEncode', { text: 'a lighthouse', clip: ['4', 1] }),
  7: node('CLIPTextEncode', { text: '', clip: ['4', 1] }),
  3: node('KSampler', { model: ['4', 0], seed: 1, steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0], denoise: 1 }),
  8: node('VAEDecode', { samples: ['3', 0], vae: ['4', 2] }),
  9: node('SaveImage', { images: ['8', 0], filename_prefix: 'out' }),
}

/** Replays messages as the socket delivers them (ComfyUI's order, §7.7), returning the fraction after each. */
function replay(workflow: Workflow, messages: Array<{ type: string; data: Record<string, unknown> }>): number[] {
  const tracker = new ProgressTracker(P, workflow, nodesToRun(workflow, ['9']))
  const fractions: number[] = []
  for (const raw of messages) {
    const message = comfyMessageSchema.parse({ type: raw.type, data: { prompt_id: P, ...raw.data } })
    if (trackMessage(tracker, message)) fractions.push(tracker.snapshot().fraction)
  }
  return fractions
}

function run(nodes: string[], samplers: Record<string, number>, cached: string[] = []) {
  return [
    { type: 'execution_start', data: { timestamp: 1 } },
    { type: 'execution_cached', data: { nodes: cached, timestamp: 2 } },
    ...nodes.flatMap((id) => [
      { type: 'executing', data: { node: id, display_node: id } },
      ...Array.from({ length: samplers[id] ?? 0 }, (_, i) => ({ type: 'progress', data: { node: id, value: i + 1, max: samplers[id] } })),
    ]),
  ]
}

describe('run progress', () => {
  it('weights a sampler by its steps, so each step moves the bar by the same amount', () => {
    const fractions = replay(TXT2IMG, run(['4', '5', '6', '7', '3', '8', '9'], { 3: 20 }))
    const stepFractions = fractions.slice(7, 27)
    const increments = stepFractions.slice(1).map((f, i) => f - stepFractions[i]!)
    // 26 units of work: 6 one-step nodes and 20 sampler steps; every sampler step is one of them.
    for (const increment of increments) expect(increment).toBeCloseTo(1 / 26, 6)
    // Halfway through sampling is about halfway through the run, not 4.5 nodes of 7.
    expect(fractions[16]).toBeCloseTo((4 + 10) / 26, 6)
    expect(fractions.at(-1)).toBeLessThan(1)
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b))
  })

  it('takes cached nodes out of the work, so a re-run with a new seed starts from zero and moves evenly', () => {
    const fractions = replay(TXT2IMG, run(['3', '8', '9'], { 3: 20 }, ['4', '5', '6', '7']))
    expect(fractions[1]).toBe(0)
    expect(fractions[3]).toBeCloseTo(1 / 22, 6)
    expect(fractions[22]).toBeCloseTo(20 / 22, 6)
  })

  it('counts custom sampling by the scheduler that sets its sigmas, and corrects a guess from the first progress message', () => {
    const workflow: Workflow = {
      1: node('UNETLoader', { unet_name: 'flux.safetensors', weight_dtype: 'default' }),
      2: node('BasicScheduler', { model: ['1', 0], scheduler: 'simple', steps: 8, denoise: 1 }),
      3: node('RandomNoise', { noise_seed: 5 }),
      4: node('EmptySD3LatentImage', { width: 1024, height: 1024, batch_size: 1 }),
      5: node('SamplerCustomAdvanced', { noise: ['3', 0], guider: ['6', 0], sampler: ['7', 0], sigmas: ['2', 0], latent_image: ['4', 0] }),
      6: node('BasicGuider', { model: ['1', 0], conditioning: ['8', 0] }),
      7: node('KSamplerSelect', { sampler_name: 'euler' }),
      8: node('CLIPTextEncode', { text: 'x', clip: ['10', 0] }),
      10: node('DualCLIPLoader', { clip_name1: 'a', clip_name2: 'b', type: 'flux' }),
      9: node('SaveImage', { images: ['5', 0], filename_prefix: 'out' }),
    }
    expect(plannedSteps(workflow, '5')).toBe(8)
    expect(plannedSteps(workflow, '2')).toBe(1)
    expect(plannedSteps(TXT2IMG, '3')).toBe(20)
    const advanced = { ...TXT2IMG, 3: node('KSamplerAdvanced', { ...TXT2IMG['3']!.inputs, start_at_step: 5, end_at_step: 10000 }) }
    expect(plannedSteps(advanced, '3')).toBe(15)
    // The sampler really takes 12 steps (say a pack's node sets them): the bar still never goes back.
    const fractions = replay(workflow, run(['1', '10', '8', '6', '2', '3', '4', '7', '5', '9'], { 5: 12 }))
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b))
    expect(fractions.at(-3)).toBeCloseTo(19 / 21, 6)
  })

  it('counts the nodes a graph expansion makes at run time as the workflow node they came from', () => {
    const fractions = replay(TXT2IMG, [
      { type: 'execution_start', data: { timestamp: 1 } },
      { type: 'execution_cached', data: { nodes: ['4', '5', '6', '7'], timestamp: 2 } },
      { type: 'executing', data: { node: '3', display_node: '3' } },
      { type: 'executing', data: { node: '3.0.0.1', display_node: '3' } },
      ...Array.from({ length: 20 }, (_, i) => ({ type: 'progress', data: { node: '3.0.0.1', value: i + 1, max: 20 } })),
      { type: 'executing', data: { node: '8', display_node: '8' } },
    ])
    // 22 units (20 steps, decode, save): each step of the inner sampler moves the bar by one.
    expect(fractions[4]).toBeCloseTo(1 / 22, 6)
    expect(fractions[23]).toBeCloseTo(20 / 22, 6)
    expect(fractions[24]).toBeCloseTo(20 / 22, 6)
  })
})
