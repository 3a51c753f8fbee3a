import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { evaluateComposition } from '../../shared/engine'
import type { LayerInput } from '../../shared/project'
import { assetId, documentWith, expectPixel, pngDataUrl, render, solid, span, useRenderPage } from './harness'

const page = useRenderPage({ beforeAll, afterAll })
const BLACK = [0, 0, 0, 255]
const WHITE = [255, 255, 255, 255]

/** A one-node camera looking along +z from (x, y, z); zoom = the distance at which z = 0 is 1:1. */
const camera = (position: unknown, zoom: number): LayerInput =>
  ({ id: 'cam', kind: 'camera', ...span, data: { zoom: { value: zoom } }, transform: { position } }) as LayerInput

const solid3d = (id: string, color: string, position: [number, number, number], w: number, h: number, anchor: [number, number, number] = [0, 0, 0]): LayerInput =>
  solid(id, color, 0, 0, w, h, { threeD: true, transform: { position: { value: position }, anchor: { value: anchor } } } as Partial<LayerInput>)

describe('camera', () => {
  test('perspective: a 3D layer twice as far is half as large; 2D layers ignore the camera', async () => {
    const scene = (z: number) => documentWith([
      camera({ value: [32, 32, -100] }, 100),
      solid('flat', '#00ff00', 0, 0, 8, 8),
      solid3d('s', '#ffffff', [32, 32, z], 16, 16, [8, 8, 0]),
    ])
    const near = await render(page(), scene(0))
    expectPixel(near.at(24, 32), WHITE, 2, 'z = 0: 16 px wide (24..40)')
    expectPixel(near.at(39, 32), WHITE, 2, 'z = 0 right edge')
    expectPixel(near.at(23, 32), BLACK, 2, 'z = 0 outside')
    const far = await render(page(), scene(100))
    expectPixel(far.at(28, 32), WHITE, 2, 'z = 100: 8 px wide (28..36)')
    expectPixel(far.at(35, 32), WHITE, 2, 'z = 100 right edge')
    expectPixel(far.at(26, 32), BLACK, 2, 'z = 100 no longer covers 26')
    expectPixel(far.at(37, 32), BLACK, 2, 'z = 100 no longer covers 37')
    expectPixel(far.at(4, 4), [0, 255, 0, 255], 2, '2D layer unchanged')
  })

  test('3D layers are drawn far to near whatever their stacking order', async () => {
    const doc = documentWith([
      camera({ value: [32, 32, -100] }, 100),
      solid3d('far', '#ff0000', [0, 0, 50], 64, 64),
      solid3d('near', '#0000ff', [16, 16, 0], 32, 32),
    ])
    const pic = await render(page(), doc)
    expectPixel(pic.at(32, 32), [0, 0, 255, 255], 2, 'nearer layer in front')
  })
})

describe('depth layer', () => {
  // 128×128: red square 32..96 (near: depth white 24..104), blue elsewhere with a green stripe at x 8..12 (far).
  const image = (x: number, y: number): [number, number, number, number] =>
    x >= 32 && x < 96 && y >= 32 && y < 96 ? [255, 0, 0, 255] : x >= 8 && x < 12 ? [0, 255, 0, 255] : [0, 0, 255, 255]
  const depth = (x: number, y: number): [number, number, number, number] =>
    x >= 24 && x < 104 && y >= 24 && y < 104 ? [255, 255, 255, 255] : [0, 0, 0, 255]
  // Camera 200 px in front, zoom 200, moving 12 px left over frames 0..10; near points are 50 px closer.
  const scene = (displacement: number) => documentWith([
    camera({ value: [64, 64, -200], keyframes: [{ id: 'a', frame: 0, value: [64, 64, -200] }, { id: 'b', frame: 10, value: [52, 64, -200] }] }, 200),
    { id: 'd', kind: 'depth', ...span, data: { assetId: assetId(10), depthAssetId: assetId(11), displacement: { value: displacement } } } as LayerInput,
  ], { width: 128, height: 128 })
  let assets: Record<string, string>

  beforeAll(async () => {
    assets = { [assetId(10)]: await pngDataUrl(128, 128, image), [assetId(11)]: await pngDataUrl(128, 128, depth) }
  })

  const firstRed = (pic: Awaited<ReturnType<typeof render>>) => {
    for (let x = 0; x < pic.width; x++) if (pic.at(x, 64)[0] > 127) return x + 0.5
    return NaN
  }
  /** Screen x of a point at layer x, depth d (z = −d), camera at cx, 200 px from the plane, zoom 200. */
  const screenX = (x: number, d: number, cx: number) => 64 + ((x - cx) * 200) / (200 - d)

  test('near points move more than far points as the camera moves (parallax)', async () => {
    const displaced = scene(50)
    const start = await render(page(), displaced, 0, 'color', { assets })
    const end = await render(page(), displaced, 10, 'color', { assets })
    expect(Math.abs(firstRed(start) - screenX(32, 50, 64))).toBeLessThanOrEqual(1)
    expect(Math.abs(firstRed(end) - screenX(32, 50, 52))).toBeLessThanOrEqual(1)
    // Far stripe (layer x 8..12) moves 12 px, the near red edge 16 px.
    expectPixel(start.at(10, 64), [0, 255, 0, 255], 2, 'stripe at frame 0')
    expectPixel(end.at(22, 64), [0, 255, 0, 255], 2, 'stripe at frame 10, 12 px right')
    expect(end.at(10, 64)[1], 'stripe gone from its old place').toBeLessThan(100)
    // Without displacement the square sits on the far plane and moves like the stripe.
    const flat = await render(page(), scene(0), 10, 'color', { assets })
    expect(Math.abs(firstRed(flat) - screenX(32, 0, 52))).toBeLessThanOrEqual(1)
  })

  test('depth pass: displaced points are nearer (whiter)', async () => {
    const pic = await render(page(), scene(50), 0, 'depth', { assets, depthRange: [100, 300] })
    // near: 150 px away → (300 − 150) / 200; far: 200 px → 0.5.
    expectPixel(pic.at(64, 64), [191, 191, 191, 255], 2, 'near')
    expectPixel(pic.at(4, 64), [128, 128, 128, 255], 2, 'far')
  })
})

describe('depth pass', () => {
  // Camera 100 px in front, zoom 100: A (32×32 top-left) at 100 px, B (right half) at 200 px,
  // C (4..12 square on screen) at 50 px though stacked below A; a 2D layer bottom-left.
  const doc = () => documentWith([
    camera({ value: [32, 32, -100] }, 100),
    solid('flat', '#ffffff', 0, 32, 32, 32),
    solid3d('A', '#ff0000', [0, 0, 0], 32, 32),
    solid3d('C', '#00ff00', [18, 18, -50], 4, 4),
    solid3d('B', '#0000ff', [32, -32, 100], 64, 128),
  ])

  test('with a fixed range: grey = (far − depth) / (far − near), empty = black, 2D layers absent', async () => {
    const pic = await render(page(), doc(), 0, 'depth', { depthRange: [0, 400] })
    expectPixel(pic.at(20, 20), [191, 191, 191, 255], 2, 'A at 100')
    expectPixel(pic.at(48, 32), [128, 128, 128, 255], 2, 'B at 200')
    expectPixel(pic.at(8, 8), [223, 223, 223, 255], 2, 'C at 50, in front of A')
    expectPixel(pic.at(16, 48), BLACK, 0, '2D layer and nothing else')
  })

  test('by default normalised between the nearest and farthest depth of the frame', async () => {
    const pic = await render(page(), doc(), 0, 'depth')
    expectPixel(pic.at(8, 8), WHITE, 2, 'nearest (50)')
    expectPixel(pic.at(20, 20), [170, 170, 170, 255], 2, 'A: (200 − 100) / 150')
    expectPixel(pic.at(48, 32), BLACK, 2, 'farthest (200)')
    const colour = await render(page(), doc())
    expectPixel(colour.at(8, 8), [0, 255, 0, 255], 2, 'colour pass: C in front of A')
  })
})

describe('matte pass', () => {
  const doc = (opacity: number) => documentWith([
    solid('cover', '#ffffff', 0, 0, 64, 64, { transform: { opacity: { value: 50 } } } as Partial<LayerInput>),
    solid('m', '#ff0000', 16, 16, 32, 32, {
      transform: { position: { value: [16, 16, 0] }, opacity: { value: opacity } },
      masks: [{ id: 'hole', mode: 'subtract', path: { value: { closed: true, vertices: [{ point: [8, 8] }, { point: [24, 8] }, { point: [24, 24] }, { point: [8, 24] }] } } }],
    } as Partial<LayerInput>),
  ])

  test('white where the layer covers (masks included), black elsewhere, whatever is above it', async () => {
    const pic = await render(page(), doc(100), 0, 'matte', { layerId: 'm' })
    expectPixel(pic.at(20, 20), WHITE, 0, 'covered')
    expectPixel(pic.at(32, 32), BLACK, 0, 'mask hole')
    expectPixel(pic.at(4, 4), BLACK, 0, 'outside')
    const half = await render(page(), doc(50), 0, 'matte', { layerId: 'm' })
    expectPixel(half.at(20, 20), [128, 128, 128, 255], 1, 'opacity 50 %')
  })
})

describe('animation', () => {
  test('a keyframed position is where the engine puts it, at keyframes and between them', async () => {
    const doc = documentWith([
      solid('s', '#ffffff', 0, 0, 8, 8, {
        transform: { position: { value: [0, 0, 0], keyframes: [{ id: 'a', frame: 0, value: [0, 20, 0], easing: 'expoIn' }, { id: 'b', frame: 10, value: [40, 20, 0] }] } },
      } as Partial<LayerInput>),
    ])
    for (const frame of [0, 10, 5, 7.5]) {
      const x = evaluateComposition(doc, 'main', frame).layers[0]?.worldMatrix[12] as number
      const pic = await render(page(), doc, frame)
      const left = Math.ceil(x - 0.5)
      expectPixel(pic.at(left, 24), WHITE, 2, `frame ${frame}: first covered pixel at x = ${x}`)
      expectPixel(pic.at(left + 7, 24), WHITE, 2, `frame ${frame}: last covered pixel`)
      if (left > 0) expectPixel(pic.at(left - 1, 24), BLACK, 2, `frame ${frame}: left of it`)
      expectPixel(pic.at(left + 8, 24), BLACK, 2, `frame ${frame}: right of it`)
    }
    // The ease matters: halfway in time is far from halfway in space.
    expect(evaluateComposition(doc, 'main', 5).layers[0]?.worldMatrix[12]).toBeLessThan(5)
  })
})

describe('determinism', () => {
  test('the same input gives the same bytes, whatever was rendered before', async () => {
    const doc = documentWith([
      { id: 't', kind: 'text', ...span, data: { text: 'Lattice', fontSize: 20, fill: '#ffcc00', stroke: { color: '#0000ff', width: 2 } }, transform: { position: { value: [4, 30, 0] }, rotation: { value: 7 } } } as LayerInput,
      { id: 'sh', kind: 'shape', ...span, blendMode: 'overlay', data: { shapes: [{ type: 'polygon', position: { value: [40, 40] }, outerRadius: { value: 20 }, innerRadius: { value: 9 }, fill: { color: '#33ccff' } }] } } as LayerInput,
      solid('m', '#ff00ff', 0, 0, 64, 64, {
        blendMode: 'difference', threeD: true,
        transform: { position: { value: [0, 0, 0], keyframes: [{ id: 'a', frame: 0, value: [0, 0, 0] }, { id: 'b', frame: 20, value: [10, 5, 30] }] }, rotationY: { value: 20 } },
        masks: [{ id: 'k', path: { value: { closed: true, vertices: [{ point: [10, 10] }, { point: [50, 12] }, { point: [30, 55] }] } }, feather: { value: [6, 3] } }],
      } as Partial<LayerInput>),
      solid('bg', '#208040', 0, 0, 64, 64),
    ])
    const first = await render(page(), doc, 3.5)
    await render(page(), doc, 11)
    await render(page(), doc, 3.5, 'depth')
    const second = await render(page(), doc, 3.5)
    expect(first.data.equals(second.data)).toBe(true)
    expect(first.data.equals((await render(page(), doc, 11)).data)).toBe(false)
  })
})
