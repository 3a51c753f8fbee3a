import { beforeAll, describe, expect, it } from 'vitest'
import { DepthRange, depthInputSize, depthLevels, depthPreview8, depthToPng16, estimateDepth, type DepthResult } from '../../../../server/ml/tasks/depth'
import type { LoadedModel } from '../../../../server/ml/types'
import { depthGraph, loadedModel } from '../../../support/task-graphs'
import { discPng, readGrey } from './helpers'

const DEFAULTS = { size: 518, multipleOf: 14, keepAspect: true }

describe('depthInputSize (DPTImageProcessor: keep aspect, multiple of 14)', () => {
  it('scales as little as possible so one side reaches 518, both multiples of 14', () => {
    // 1080 → 518 (scale 0.4796, the smaller change); 1920·0.4796 = 920.9 → 65.78·14 → 66·14 = 924.
    expect(depthInputSize(1920, 1080, DEFAULTS)).toEqual({ width: 924, height: 518 })
    expect(depthInputSize(518, 518, DEFAULTS)).toEqual({ width: 518, height: 518 })
    // 100×50: ×5.18 (width) is a smaller change than ×10.36: 518 × 259 → 259/14 = 18.5 → banker's 18 → 252.
    expect(depthInputSize(100, 50, DEFAULTS)).toEqual({ width: 518, height: 252 })
    expect(depthInputSize(400, 300, { ...DEFAULTS, keepAspect: false })).toEqual({ width: 518, height: 518 })
  })
  it('every side stays a multiple of 14 and at least 14', () => {
    for (const [w, h] of [[1, 1000], [333, 777], [4000, 3], [640, 480]] as const) {
      const s = depthInputSize(w, h, DEFAULTS)
      expect(s.width % 14).toBe(0)
      expect(s.height % 14).toBe(0)
      expect(Math.min(s.width, s.height)).toBeGreaterThanOrEqual(14)
    }
  })
})

describe('estimateDepth on a stand-in graph (depth = channel mean: brighter is nearer)', () => {
  let model: LoadedModel
  let bright: DepthResult
  let dim: DepthResult
  const disc = { cx: 150, cy: 100, r: 50 }
  beforeAll(async () => {
    model = await loadedModel('depth', { model: depthGraph() }, {}, 'depth-anything-v2-small')
    bright = await estimateDepth(model, await discPng(300, 200, { ...disc, fill: '#ffffff' }, '#404040'))
    dim = await estimateDepth(model, await discPng(300, 200, { ...disc, fill: '#a0a0a0' }, '#404040'))
  })

  it('returns depth at the source size with the raw range, model and convention', () => {
    expect([bright.width, bright.height, bright.depth.length]).toEqual([300, 200, 60_000])
    expect(bright.modelId).toBe('depth-anything-v2-small')
    expect(bright.convention).toBe('inverse')
    // ImageNet-normalised channel mean of white ≈ 2.43, of #404040 ≈ −0.69.
    expect(bright.max).toBeCloseTo(([0.485, 0.456, 0.406].reduce((s, m, c) => s + (1 - m) / [0.229, 0.224, 0.225][c]!, 0)) / 3, 1)
    expect(bright.min).toBeLessThan(-0.5)
    expect(bright.depth[100 * 300 + 150]).toBeGreaterThan(bright.depth[5 * 300 + 5]! + 2)
  })

  it('writes a 16-bit PNG: the bright disc white (near), the background black', async () => {
    const png = await readGrey(await depthToPng16(bright))
    expect([png.bits, png.width, png.height]).toEqual([16, 300, 200])
    const level = (i: number, white: number) => Math.round(((bright.depth[i]! - bright.min) / (bright.max - bright.min)) * white)
    for (const i of [100 * 300 + 150, 5 * 300 + 5, 100 * 300 + 101, 0]) expect(Math.abs(png.levels[i]! - level(i, 65535))).toBeLessThanOrEqual(1)
    // (Bicubic overshoot at the disc's edge holds the raw extremes, so centre and corner sit just inside them.)
    expect(png.levels[100 * 300 + 150]).toBeGreaterThan(62000)
    expect(png.levels[5 * 300 + 5]).toBeLessThan(4000)
    const inverted = await readGrey(await depthToPng16(bright, { invert: true }))
    expect(inverted.levels[100 * 300 + 150]).toBe(65535 - png.levels[100 * 300 + 150]!)
    expect(inverted.levels[5 * 300 + 5]).toBe(65535 - png.levels[5 * 300 + 5]!)
    const preview = await readGrey(await depthPreview8(bright))
    expect(preview.bits).toBe(8)
    expect(Math.abs(preview.levels[100 * 300 + 150]! - level(100 * 300 + 150, 255))).toBeLessThanOrEqual(1)
    expect(Math.abs(preview.levels[5 * 300 + 5]! - level(5 * 300 + 5, 255))).toBeLessThanOrEqual(1)
  })

  it('a clip shares one range: the same raw value gets the same level in every frame', async () => {
    const clip = new DepthRange().add(bright).add(dim)
    expect(clip.range).toEqual({ min: Math.min(bright.min, dim.min), max: bright.max })
    const a = depthLevels(bright, 16, { range: clip.range! })
    const b = depthLevels(dim, 16, { range: clip.range! })
    // Same background in both frames → same level; the dimmer disc is nearer than the background but not white.
    expect(a[5 * 300 + 5]).toBe(b[5 * 300 + 5])
    expect(b[100 * 300 + 150]).toBeLessThan(40000)
    expect(b[100 * 300 + 150]).toBeGreaterThan(b[5 * 300 + 5]! + 10000)
    // Normalised per frame, the dim disc would flicker to white.
    expect(depthLevels(dim, 16)[100 * 300 + 150]).toBeGreaterThan(60000)
  })

  it('levels are linear in the raw value over the range, clamped outside it', () => {
    const result = { depth: Float32Array.from([-1, 0, 0.5, 1, 2]), width: 5, height: 1, min: -1, max: 2 }
    expect([...depthLevels(result, 8, { range: { min: 0, max: 1 } })]).toEqual([0, 0, 128, 255, 255])
    expect([...depthLevels(result, 16, { range: { min: 0, max: 1 } })]).toEqual([0, 0, 32768, 65535, 65535])
  })
})
