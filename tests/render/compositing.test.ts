import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { LayerInput } from '../../shared/project'
import { documentWith, expectPixel, render, rgb, solid, span, useRenderPage } from './harness'

const page = useRenderPage({ beforeAll, afterAll })
const WHITE = [255, 255, 255, 255]
const BLACK = [0, 0, 0, 255]

describe('blend modes (formulas on sRGB bytes, backdrop b, layer s)', () => {
  const BASE = '#3399e6'
  const TOP = '#cc6633'
  const b = rgb(BASE).map((v) => v / 255)
  const s = rgb(TOP).map((v) => v / 255)
  const formulas: Record<string, (b: number, s: number) => number> = {
    normal: (_b, s) => s,
    multiply: (b, s) => b * s,
    screen: (b, s) => b + s - b * s,
    overlay: (b, s) => (b <= 0.5 ? 2 * b * s : 1 - 2 * (1 - b) * (1 - s)),
    add: (b, s) => Math.min(1, b + s),
    difference: (b, s) => Math.abs(b - s),
    darken: (b, s) => Math.min(b, s),
    lighten: (b, s) => Math.max(b, s),
    subtract: (b, s) => Math.max(0, b - s),
    exclusion: (b, s) => b + s - 2 * b * s,
    hardLight: (b, s) => (s <= 0.5 ? 2 * b * s : 1 - 2 * (1 - b) * (1 - s)),
  }

  for (const [mode, f] of Object.entries(formulas)) {
    test(mode, async () => {
      const doc = documentWith([
        solid('top', TOP, 0, 0, 32, 64, { blendMode: mode } as Partial<LayerInput>),
        solid('base', BASE, 0, 0, 64, 64),
      ])
      const pic = await render(page(), doc)
      const expected = b.map((bc, i) => Math.round(f(bc, s[i] as number) * 255))
      expectPixel(pic.at(10, 10), [...expected, 255], 2, mode)
      expectPixel(pic.at(50, 10), [...rgb(BASE), 255], 2, 'backdrop alone')
    })
  }

  test('at 50 % opacity the blended colour mixes half with the backdrop', async () => {
    const doc = documentWith([
      solid('top', TOP, 0, 0, 64, 64, { blendMode: 'multiply', transform: { opacity: { value: 50 } } } as Partial<LayerInput>),
      solid('base', BASE, 0, 0, 64, 64),
    ])
    const pic = await render(page(), doc)
    const expected = b.map((bc, i) => Math.round((0.5 * bc + 0.5 * bc * (s[i] as number)) * 255))
    expectPixel(pic.at(10, 10), [...expected, 255], 2)
  })

  test('over nothing (transparent background) a blend mode shows the layer itself', async () => {
    const doc = documentWith([solid('top', TOP, 0, 0, 64, 64, { blendMode: 'difference' } as Partial<LayerInput>)], { backgroundColor: '#00000000' })
    expectPixel((await render(page(), doc)).at(10, 10), [...rgb(TOP), 255], 2)
  })
})

type Vertex = { point: [number, number] }
const rect = (x0: number, y0: number, x1: number, y1: number): { closed: true; vertices: Vertex[] } => ({
  closed: true,
  vertices: [{ point: [x0, y0] }, { point: [x1, y0] }, { point: [x1, y1] }, { point: [x0, y1] }],
})
const mask = (id: string, path: ReturnType<typeof rect>, rest: Record<string, unknown> = {}) => ({ id, path: { value: path }, ...rest })
const masked = (masks: unknown[]) => documentWith([solid('w', '#ffffff', 0, 0, 64, 64, { masks } as Partial<LayerInput>)])

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, error < 1.5e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * z)
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-z * z)
  return 0.5 * (1 + (x >= 0 ? erf : -erf))
}

describe('masks', () => {
  test('add: inside shows the layer, outside does not; inverted swaps them', async () => {
    const plain = await render(page(), masked([mask('m', rect(16, 16, 48, 48))]))
    expectPixel(plain.at(32, 32), WHITE, 2, 'inside')
    expectPixel(plain.at(16, 16), WHITE, 2, 'first pixel inside')
    expectPixel(plain.at(15, 32), BLACK, 2, 'just outside')
    expectPixel(plain.at(48, 32), BLACK, 2, 'just outside right')
    const inverted = await render(page(), masked([mask('m', rect(16, 16, 48, 48), { inverted: true })]))
    expectPixel(inverted.at(32, 32), BLACK, 2, 'inverted inside')
    expectPixel(inverted.at(8, 8), WHITE, 2, 'inverted outside')
  })

  test('subtract and intersect combine in order', async () => {
    const subtract = await render(page(), masked([mask('a', rect(8, 8, 56, 56)), mask('b', rect(24, 24, 40, 40), { mode: 'subtract' })]))
    expectPixel(subtract.at(32, 32), BLACK, 2, 'hole')
    expectPixel(subtract.at(12, 12), WHITE, 2, 'ring')
    expectPixel(subtract.at(4, 4), BLACK, 2, 'outside both')
    const lone = await render(page(), masked([mask('b', rect(24, 24, 40, 40), { mode: 'subtract' })]))
    expectPixel(lone.at(32, 32), BLACK, 2, 'a lone subtract mask cuts a hole')
    expectPixel(lone.at(4, 4), WHITE, 2, 'into the whole layer')
    const intersect = await render(page(), masked([mask('a', rect(8, 8, 40, 40)), mask('b', rect(24, 24, 56, 56), { mode: 'intersect' })]))
    expectPixel(intersect.at(32, 32), WHITE, 2, 'both')
    expectPixel(intersect.at(12, 12), BLACK, 2, 'first only')
    expectPixel(intersect.at(50, 50), BLACK, 2, 'second only')
  })

  test('feather: a Gaussian ramp (σ = feather / 4) centred on the outline', async () => {
    const feather = 16
    const sigma = feather / 4
    const pic = await render(page(), masked([mask('m', rect(16, 8, 60, 56), { feather: { value: [feather, feather] } })]))
    for (const x of [6, 10, 13, 15, 16, 18, 22, 26]) {
      const expected = Math.round(255 * phi((x + 0.5 - 16) / sigma))
      expectPixel(pic.at(x, 32).slice(0, 3), [expected, expected, expected], 3, `x = ${x}`)
    }
    const mid = pic.at(15, 32)[0] + pic.at(16, 32)[0]
    expect(Math.abs(mid - 255)).toBeLessThanOrEqual(3)
  })

  test('expansion grows and shrinks the outline; opacity scales it', async () => {
    const grown = await render(page(), masked([mask('m', rect(16, 16, 48, 48), { expansion: { value: 4 } })]))
    expectPixel(grown.at(13, 32), WHITE, 2, 'grown edge')
    expectPixel(grown.at(11, 32), BLACK, 2, 'beyond the grown edge')
    const shrunk = await render(page(), masked([mask('m', rect(16, 16, 48, 48), { expansion: { value: -4 } })]))
    expectPixel(shrunk.at(18, 32), BLACK, 2, 'shrunk away')
    expectPixel(shrunk.at(21, 32), WHITE, 2, 'still inside')
    const faint = await render(page(), masked([mask('m', rect(16, 16, 48, 48), { opacity: { value: 50 } })]))
    expectPixel(faint.at(32, 32), [128, 128, 128, 255], 2, 'half mask')
  })
})

describe('track mattes', () => {
  const RED = '#ff0000'
  /** Matte above the red layer: white on the left half (alpha 1), grey #404040 on the right. */
  const withMatte = (mode: string) => documentWith([
    {
      id: 'matte', kind: 'shape', ...span,
      data: {
        shapes: [
          { type: 'rectangle', position: { value: [16, 32] }, size: { value: [32, 64] }, fill: { color: '#ffffff' } },
          { type: 'rectangle', position: { value: [48, 16] }, size: { value: [32, 32] }, fill: { color: '#404040' } },
        ],
      },
    } as LayerInput,
    solid('red', RED, 0, 0, 64, 64, { trackMatte: { mode } } as Partial<LayerInput>),
  ], { backgroundColor: '#0000ff' })
  const luma = 0x40 / 255

  test('alpha matte shows the layer where the matte is opaque, and hides the matte layer', async () => {
    const pic = await render(page(), withMatte('alpha'))
    expectPixel(pic.at(8, 8), [255, 0, 0, 255], 2, 'white part')
    expectPixel(pic.at(40, 8), [255, 0, 0, 255], 2, 'grey part (opaque)')
    expectPixel(pic.at(40, 48), [0, 0, 255, 255], 2, 'no matte')
  })

  test('inverted alpha matte', async () => {
    const pic = await render(page(), withMatte('alphaInverted'))
    expectPixel(pic.at(8, 8), [0, 0, 255, 255], 2, 'white part')
    expectPixel(pic.at(40, 48), [255, 0, 0, 255], 2, 'no matte')
  })

  test('luma matte uses brightness', async () => {
    const pic = await render(page(), withMatte('luma'))
    expectPixel(pic.at(8, 8), [255, 0, 0, 255], 2, 'white')
    expectPixel(pic.at(40, 8), [Math.round(255 * luma), 0, Math.round(255 * (1 - luma)), 255], 2, 'grey')
    expectPixel(pic.at(40, 48), [0, 0, 255, 255], 2, 'no matte = black')
  })

  test('inverted luma matte', async () => {
    const pic = await render(page(), withMatte('lumaInverted'))
    expectPixel(pic.at(8, 8), [0, 0, 255, 255], 2, 'white')
    expectPixel(pic.at(40, 8), [Math.round(255 * (1 - luma)), 0, Math.round(255 * luma), 255], 2, 'grey')
    expectPixel(pic.at(40, 48), [255, 0, 0, 255], 2, 'no matte')
  })
})

describe('precision', () => {
  test('half-float and 8-bit colour targets agree within rounding', async () => {
    const doc = documentWith([
      solid('a', '#cc6633', 0, 0, 40, 64, { blendMode: 'overlay', transform: { opacity: { value: 70 } } } as Partial<LayerInput>),
      solid('b', '#33cc99', 24, 0, 40, 64, { blendMode: 'multiply', transform: { opacity: { value: 30 } } } as Partial<LayerInput>),
      solid('c', '#ffffff', 0, 20, 64, 24, { transform: { opacity: { value: 10 } } } as Partial<LayerInput>),
      solid('base', '#3399e6', 0, 0, 64, 64),
    ])
    const half = await render(page(), doc, 0, 'color', { precision: 'half' })
    const bytes = await render(page(), doc, 0, 'color', { precision: 'byte' })
    let worst = 0
    for (let i = 0; i < half.data.length; i++) worst = Math.max(worst, Math.abs((half.data[i] as number) - (bytes.data[i] as number)))
    // 8-bit targets round once per translucent layer: three here.
    expect(worst).toBeLessThanOrEqual(3)
    // Both match the formula where all three overlap (x 24..40, y 20..44).
    const [b, a, m, w] = [rgb('#3399e6'), rgb('#cc6633'), rgb('#33cc99'), [255, 255, 255]].map((c) => c.map((v) => v / 255))
    const overlay = (bc: number, s: number) => (bc <= 0.5 ? 2 * bc * s : 1 - 2 * (1 - bc) * (1 - s))
    // Bottom up: 10 % white over the base, then multiply at 30 %, then overlay at 70 %.
    const expected = (b as number[]).map((bc, i) => {
      const afterC = 0.1 * ((w as number[])[i] as number) + 0.9 * bc
      const afterB = 0.3 * afterC * ((m as number[])[i] as number) + 0.7 * afterC
      return Math.round((0.7 * overlay(afterB, (a as number[])[i] as number) + 0.3 * afterB) * 255)
    })
    expectPixel(half.at(32, 32), [...expected, 255], 2, 'half')
    expectPixel(bytes.at(32, 32), [...expected, 255], 3, 'byte (one level per translucent layer)')
  })
})
