import { beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import { EmbeddingCache, postprocessMasks, segment, type SegmentMask } from '../../../../server/ml/tasks/segment'
import type { LoadedModel } from '../../../../server/ml/types'
import { InferenceSession } from 'onnxruntime-node'
import { countRuns, loadedModel, samDecoderGraph, samEncoderGraph, SAM_POINT_MARGIN } from '../../../support/task-graphs'
import { discIoU, discPng } from './helpers'

/** 600×400 source → 1024×683 content in the padded square: 1 source px = 1.70667 frame px. */
const W = 600
const H = 400
const disc = { cx: 200, cy: 200, r: 80 }
const other = { cx: 450, cy: 200, r: 60 }

function maskBox(m: SegmentMask): { x0: number; y0: number; x1: number; y1: number; area: number } {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, area = 0
  for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) {
    if (!m.mask[y * m.width + x]) continue
    area++
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y)
  }
  return { x0, y0, x1, y1, area }
}

describe('postprocessMasks', () => {
  it('upsamples to the square, crops the padding, resizes to the source, sorts by score', () => {
    // 4×4 logits over a 16-px square; the image covers the top 16×8 (2:1 source 32×16).
    // Mask A: positive only in the last (padding) row → empty after the crop. Mask B: positive in the top-left cell.
    const a = Float32Array.from([-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 5, 5, 5, 5])
    const b = Float32Array.from([5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5, -5])
    const masks = postprocessMasks(Float32Array.from([0.2, 0.6]), Float32Array.from([...a, ...b]), [1, 1, 2, 4, 4], { width: 32, height: 16, contentWidth: 16, contentHeight: 8 }, 16)
    expect(masks.map((m) => m.score)).toEqual([expect.closeTo(0.6), expect.closeTo(0.2)])
    expect(masks[1]!.mask.every((v) => v === 0)).toBe(true)
    // Without the crop the padding row would show at the bottom.
    const uncropped = postprocessMasks(Float32Array.from([0.2]), a, [1, 1, 1, 4, 4], { width: 32, height: 16, contentWidth: 16, contentHeight: 16 }, 16)
    expect(uncropped[0]!.mask[15 * 32]).toBe(255)
    const box = maskBox(masks[0]!)
    expect([masks[0]!.width, masks[0]!.height]).toEqual([32, 16])
    // Cell (0,0) is frame px 0–3 = source px 0–7; bilinear puts the zero crossing midway between the
    // centres of cells 0 and 1 (frame 3.5 = source 7), give or take the two resamplings.
    expect(box.x0).toBe(0)
    expect(box.y0).toBe(0)
    expect(box.x1).toBeGreaterThanOrEqual(6)
    expect(box.x1).toBeLessThanOrEqual(7)
    expect(box.y1).toBeGreaterThanOrEqual(6)
    expect(box.y1).toBeLessThanOrEqual(7)
  })
})

describe('segment on stand-in SAM graphs', () => {
  let png: Buffer
  let model: LoadedModel
  let encoderRuns: () => number
  let loads = 0
  const load = async () => { loads++; return png }
  beforeAll(async () => {
    png = await discPng(W, H, { ...disc, fill: '#ffffff' }, '#000000')
    // Add a second bright disc so "the clicked object" differs from "everything bright".
    const sharp = (await import('sharp')).default
    png = await sharp(png).composite([{ input: await discPng(2 * other.r, 2 * other.r, { cx: other.r, cy: other.r, r: other.r, fill: '#ffffff' }, '#000000'), left: other.cx - other.r, top: other.cy - other.r }]).png().toBuffer()
    const encoder = countRuns(await InferenceSession.create(samEncoderGraph()))
    encoderRuns = encoder.runs
    model = await loadedModel('segment', { encoder: encoder.session, decoder: samDecoderGraph({ boxes: true }) }, {}, 'slimsam-test')
  })

  it('a click on a disc: masks sorted by score; the point mask is that disc, not the other', async () => {
    const cache = new EmbeddingCache()
    const result = await segment(model, cache, 'slimsam-test:asset1:0', load, { points: [{ x: 200, y: 200, label: 1 }] })
    expect(result.embeddingCached).toBe(false)
    expect(result.masks.map((m) => m.score)).toEqual([expect.closeTo(0.9), expect.closeTo(0.8), expect.closeTo(0.7)])
    const clicked = result.masks[2]! // the decoder's mask 0: square around the points ∩ bright
    expect([clicked.width, clicked.height]).toEqual([W, H])
    // The square (±64 frame px = ±37.5 source px) cuts the disc: all inside it is bright, none of the other disc.
    const box = maskBox(clicked)
    expect(box.x0).toBeGreaterThanOrEqual(200 - SAM_POINT_MARGIN / 1.70667 - 4)
    expect(box.x1).toBeLessThanOrEqual(200 + SAM_POINT_MARGIN / 1.70667 + 4)
    expect(box.area).toBeGreaterThan(60 * 60)
    expect(clicked.mask[200 * W + 450]).toBe(0)
    expect(clicked.mask[200 * W + 200]).toBe(255)
  })

  it('a second click on the same image runs only the decoder', async () => {
    const cache = new EmbeddingCache()
    const before = encoderRuns()
    const loadsBefore = loads
    const first = await segment(model, cache, 'k', load, { points: [{ x: 200, y: 200, label: 1 }] })
    const second = await segment(model, cache, 'k', load, { points: [{ x: 450, y: 200, label: 1 }] })
    expect([first.embeddingCached, second.embeddingCached]).toEqual([false, true])
    expect(encoderRuns() - before).toBe(1)
    expect(loads - loadsBefore).toBe(1)
    // The second click found the other disc, so the decoder really got the new point.
    expect(second.masks[2]!.mask[200 * W + 450]).toBe(255)
    expect(second.masks[2]!.mask[200 * W + 200]).toBe(0)
    // A different key encodes again.
    await segment(model, cache, 'k2', load, { points: [{ x: 200, y: 200, label: 1 }] })
    expect(encoderRuns() - before).toBe(2)
  })

  it('the box reaches the decoder (input_boxes): the box mask follows it', async () => {
    const cache = new EmbeddingCache()
    const boxA = { x0: 100, y0: 100, x1: 300, y1: 300 }
    const a = await segment(model, cache, 'k', load, { points: [], box: boxA })
    const b = await segment(model, cache, 'k', load, { points: [], box: { x0: 380, y0: 120, x1: 520, y1: 280 } })
    const boxMask = (r: typeof a) => r.masks.find((m) => Math.abs(m.score - 0.9) < 1e-6)!
    const got = maskBox(boxMask(a))
    for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(Math.abs(got[k] - boxA[k])).toBeLessThanOrEqual(3)
    // Box ∩ bright (score 0.8) is the disc inside the box.
    const inBox = a.masks.find((m) => Math.abs(m.score - 0.8) < 1e-6)!
    expect(discIoU(inBox.mask, W, H, disc)).toBeGreaterThan(0.9)
    const inOther = b.masks.find((m) => Math.abs(m.score - 0.8) < 1e-6)!
    expect(discIoU(inOther.mask, W, H, other)).toBeGreaterThan(0.9)
    // Box only: the padding point (label −1) adds nothing, so the point mask is empty.
    expect(a.masks.find((m) => Math.abs(m.score - 0.7) < 1e-6)!.mask.every((v) => v === 0)).toBe(true)
  })

  it("boxes as two points labelled 2 and 3 (Meta's convention) reach a decoder without input_boxes", async () => {
    const pointsOnly = await loadedModel('segment', { encoder: model.sessions.encoder!, decoder: samDecoderGraph({ boxes: false }) }, { boxes: 'points' })
    const result = await segment(pointsOnly, new EmbeddingCache(), 'k', load, { points: [], box: { x0: 100, y0: 100, x1: 300, y1: 300 } })
    // This decoder's masks come from the square around points labelled ≥ 1, so the box corners shape it: box ∩ bright = the disc.
    const brightInBox = result.masks.find((m) => Math.abs(m.score - 0.7) < 1e-6)!
    expect(discIoU(brightInBox.mask, W, H, disc)).toBeGreaterThan(0.9)
    expect(brightInBox.mask[200 * W + 450]).toBe(0)
  })

  it('refuses a box for a decoder that takes none instead of dropping it', async () => {
    const pointsOnly = await loadedModel('segment', { encoder: model.sessions.encoder!, decoder: samDecoderGraph({ boxes: false }) }, {}, 'slimsam-77')
    const error = await segment(pointsOnly, new EmbeddingCache(), 'k', load, { points: [{ x: 10, y: 10, label: 1 }], box: { x0: 1, y0: 1, x1: 50, y1: 50 } }).catch((e) => e)
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.message).toMatch(/slimsam-77.*takes no boxes/)
  })

  it('rejects bad prompts before or without running the encoder', async () => {
    const cache = new EmbeddingCache()
    const before = encoderRuns()
    const bad = async (prompt: Parameters<typeof segment>[4], pattern: RegExp) => {
      const error = await segment(model, cache, 'bad', load, prompt).catch((e) => e)
      expect(error).toBeInstanceOf(AppError)
      expect(error.code).toBe('BAD_REQUEST')
      expect(error.message).toMatch(pattern)
    }
    await bad({ points: [] }, /at least one point or draw a box/)
    await bad({ points: Array.from({ length: 33 }, () => ({ x: 1, y: 1, label: 1 as const })) }, /at most 32 points/)
    expect(encoderRuns()).toBe(before)
    await bad({ points: [{ x: 601, y: 10, label: 1 }] }, /outside the 600×400 image/)
    await bad({ points: [{ x: 10, y: -1, label: 1 }] }, /outside/)
    await bad({ points: [], box: { x0: 50, y0: 50, x1: 40, y1: 60 } }, /top-left corner/)
    await bad({ points: [], box: { x0: 0, y0: 0, x1: 700, y1: 60 } }, /reaches outside/)
    await bad({ points: [{ x: 5, y: 5, label: 2 as never }] }, /label 2/)
  })
})

describe('EmbeddingCache', () => {
  const entry = (floats: number) => ({
    embeddings: { data: new Float32Array(floats) },
    positional: { data: new Float32Array(floats) },
    width: 1, height: 1, contentWidth: 1, contentHeight: 1,
  }) as never
  it('evicts the least recently used past its count or byte bound', () => {
    const cache = new EmbeddingCache({ maxEntries: 2, maxBytes: 1000 })
    cache.set('a', entry(10)); cache.set('b', entry(10))
    cache.get('a')
    cache.set('c', entry(10))
    expect([cache.get('a') !== undefined, cache.get('b') !== undefined, cache.get('c') !== undefined]).toEqual([true, false, true])
    expect(cache.bytes).toBe(160)
    cache.set('d', entry(100)) // 800 bytes: a and c (LRU order) must go to stay ≤ 1000
    expect(cache.bytes).toBeLessThanOrEqual(1000)
    expect(cache.get('d')).toBeDefined()
    cache.set('huge', entry(1000))
    expect(cache.get('huge')).toBeUndefined()
    cache.clear()
    expect([cache.size, cache.bytes]).toEqual([0, 0])
  })
})
