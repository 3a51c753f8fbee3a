import { InferenceSession } from 'onnxruntime-node'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import { cutoutPng, ISNET_PROCESSING, matte, mattePng, sigmoid, type MatteResult } from '../../../../server/ml/tasks/matte'
import { birefnetGraph, loadedModel } from '../../../support/task-graphs'
import { writeIsnetSmall } from '../../../support/isnet'
import { discIoU, discPng, readGrey } from './helpers'

describe('matte on a BiRefNet stand-in (logits = 10 × channel mean → sigmoid)', () => {
  const disc = { cx: 120, cy: 80, r: 50 }
  let png: Buffer
  let result: MatteResult
  beforeAll(async () => {
    png = await discPng(240, 160, { ...disc, fill: '#ffffff' }, '#000000')
    result = await matte(await loadedModel('matte', { model: birefnetGraph() }), png)
  })

  it('sigmoid', () => {
    expect(sigmoid(0)).toBe(0.5)
    expect(sigmoid(2)).toBeCloseTo(0.880797, 6)
    expect(sigmoid(-2)).toBeCloseTo(0.119203, 6)
  })

  it('applies the sigmoid to the logits: white → 255, black → 0, at the source size', () => {
    // White: mean of (1 − m)/s ≈ 2.43 → ×10 → sigmoid ≈ 1; black ≈ −2.03 → ×10 → ≈ 0.
    expect([result.width, result.height, result.alpha.length]).toEqual([240, 160, 240 * 160])
    expect(result.alpha[80 * 240 + 120]).toBe(255)
    expect(result.alpha[0]).toBe(0)
    expect(discIoU(result.alpha, 240, 160, disc)).toBeGreaterThan(0.95)
  })

  it('activation none takes the output as probabilities (clamped), sigmoid squashes logits', async () => {
    // #757575: x = 117/255; logit = 10 · mean((x − m)/s) ≈ 0.443 → none: 0.443·255 ≈ 113, sigmoid: 0.609·255 ≈ 155.
    const x = 117 / 255
    const logit = (10 * [0.485, 0.456, 0.406].reduce((sum, m, c) => sum + (x - m) / [0.229, 0.224, 0.225][c]!, 0)) / 3
    const image = await discPng(40, 30, { ...disc, fill: '#757575' }, '#757575')
    const raw = await matte(await loadedModel('matte', { model: birefnetGraph() }, { activation: 'none' }), image)
    const squashed = await matte(await loadedModel('matte', { model: birefnetGraph() }), image)
    expect(Math.abs(raw.alpha[0]! - logit * 255)).toBeLessThanOrEqual(1.5)
    expect(Math.abs(squashed.alpha[0]! - sigmoid(logit) * 255)).toBeLessThanOrEqual(1.5)
    expect(squashed.alpha[0]! - raw.alpha[0]!).toBeGreaterThan(30)
  })

  it('writes a grey matte PNG and an RGBA cut-out', async () => {
    const grey = await readGrey(await mattePng(result))
    expect([grey.bits, grey.width, grey.levels[80 * 240 + 120], grey.levels[0]]).toEqual([8, 240, 255, 0])
    const { data, info } = await sharp(await cutoutPng(png, result)).raw().toBuffer({ resolveWithObject: true })
    expect(info.channels).toBe(4)
    expect([...data.subarray((80 * 240 + 120) * 4, (80 * 240 + 120) * 4 + 4)]).toEqual([255, 255, 255, 255])
    expect(data[3]).toBe(0)
  })
})

describe('matte with the real ISNet small model (@imgly weights, CPU)', () => {
  it('cuts a shaded ball out of its background: IoU ≥ 0.9 with the disc, centre opaque, corners clear', async () => {
    const path = await writeIsnetSmall()
    // One core: the test run's other files keep the other.
    const session = await InferenceSession.create(path, { executionProviders: ['cpu'], intraOpNumThreads: 1 })
    expect(session.inputNames).toEqual(['input'])
    expect(session.outputNames).toContain('output')
    const model = await loadedModel('matte', { model: session }, ISNET_PROCESSING, 'isnet-small')
    // A shaded ball on a plain dark background. (On light or gradient backgrounds ISNet also keeps
    // patches of background: IoU 0.55–0.85 there, measured.)
    const disc = { cx: 320, cy: 240, r: 130 }
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><defs><radialGradient id="b" cx="0.35" cy="0.35" r="0.75"><stop offset="0" stop-color="#ffd0a0"/><stop offset="0.6" stop-color="#e06020"/><stop offset="1" stop-color="#602000"/></radialGradient></defs><rect width="100%" height="100%" fill="#2a2a2a"/><circle cx="${disc.cx}" cy="${disc.cy}" r="${disc.r}" fill="url(#b)"/></svg>`
    const result = await matte(model, await sharp(Buffer.from(svg)).png().toBuffer())
    expect([result.width, result.height]).toEqual([640, 480])
    expect(discIoU(result.alpha, 640, 480, disc)).toBeGreaterThanOrEqual(0.9)
    expect(result.alpha[240 * 640 + 320]).toBeGreaterThan(240)
    for (const [x, y] of [[2, 2], [637, 2], [2, 477], [637, 477]] as const) expect(result.alpha[y * 640 + x]).toBeLessThan(15)
    await session.release()
  }, 60_000)
})
