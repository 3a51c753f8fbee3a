import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { LayerInput } from '../../shared/project'
import { assetId, documentWith, expectPixel, pngDataUrl, render, rgb, solid, span, useRenderPage } from './harness'

const page = useRenderPage({ beforeAll, afterAll })
const BLACK = [0, 0, 0, 255]

describe('solid', () => {
  test('fills its rectangle with its colour and nothing else', async () => {
    const pic = await render(page(), documentWith([solid('s', '#336699', 8, 8, 16, 16)]))
    expectPixel(pic.at(8, 8), [...rgb('#336699'), 255], 2, 'top-left corner')
    expectPixel(pic.at(23, 23), [...rgb('#336699'), 255], 2, 'bottom-right corner')
    expectPixel(pic.at(7, 7), BLACK, 2, 'outside')
    expectPixel(pic.at(24, 24), BLACK, 2, 'outside')
  })

  test('the background is the composition colour, or transparent', async () => {
    const coloured = await render(page(), documentWith([], { backgroundColor: '#204060' }))
    expectPixel(coloured.at(5, 5), [0x20, 0x40, 0x60, 255])
    const clear = await render(page(), documentWith([solid('s', '#ff8000', 0, 0, 8, 8, { transform: { opacity: { value: 50 } } } as Partial<LayerInput>)], { backgroundColor: '#00000000' }))
    expectPixel(clear.at(20, 20), [0, 0, 0, 0], 0, 'empty')
    // Straight (un-premultiplied) colour with the layer's alpha.
    expectPixel(clear.at(2, 2), [255, 128, 0, 128], 2, 'half-transparent solid')
  })

  test('output size other than the composition scales the picture', async () => {
    const pic = await render(page(), documentWith([solid('s', '#ffffff', 8, 8, 8, 8)]), 0, 'color', { width: 128, height: 128 })
    expect([pic.width, pic.height]).toEqual([128, 128])
    expectPixel(pic.at(16, 16), [255, 255, 255, 255], 2, 'scaled corner')
    expectPixel(pic.at(31, 31), [255, 255, 255, 255], 2, 'scaled corner')
    expectPixel(pic.at(32, 32), BLACK, 2, 'past the scaled solid')
  })
})

describe('image', () => {
  test('texels land on the pixels under them, alpha composited over the background', async () => {
    const texel = (x: number, y: number): [number, number, number, number] => [x * 60, y * 60, 200, y === 3 ? 128 : 255]
    const image = await pngDataUrl(4, 4, texel)
    const doc = documentWith(
      [{ id: 'i', kind: 'image', ...span, data: { assetId: assetId(1) }, transform: { position: { value: [20, 30, 0] } } } as LayerInput],
      { backgroundColor: '#0000ff' },
    )
    const pic = await render(page(), doc, 0, 'color', { assets: { [assetId(1)]: image } })
    for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) expectPixel(pic.at(20 + x, 30 + y), [...texel(x, y).slice(0, 3), 255], 2, `texel ${x},${y}`)
    // Half-transparent row over blue: c = a·src + (1 − a)·dst.
    const a = 128 / 255
    expectPixel(pic.at(22, 33), [Math.round(120 * a), Math.round(180 * a), Math.round(200 * a + 255 * (1 - a)), 255], 2, 'over blue')
    expectPixel(pic.at(19, 30), [0, 0, 255, 255], 2, 'left of the image')
    expectPixel(pic.at(24, 30), [0, 0, 255, 255], 2, 'right of the image')
  })
})

describe('text', () => {
  const text = (id: string, data: Record<string, unknown>, x: number, y: number): LayerInput =>
    ({ id, kind: 'text', ...span, data: { fontFamily: 'DejaVu Sans', fontSize: 32, fill: '#ffffff', ...data }, transform: { position: { value: [x, y, 0] } } }) as LayerInput
  const ink = (p: readonly number[]) => (p[0] as number) > 40 || (p[1] as number) > 40 || (p[2] as number) > 40

  test('has ink inside its box (baseline at the position) and none outside', async () => {
    const pic = await render(page(), documentWith([text('t', { text: 'HI' }, 8, 40)]))
    // Cap height of DejaVu Sans is 0.73 em: the glyphs sit between y ≈ 16.6 and the baseline 40.
    expect(pic.count(8, 17, 48, 40, ink)).toBeGreaterThan(150)
    expect(pic.count(0, 0, 64, 14, ink), 'above the cap height').toBe(0)
    expect(pic.count(0, 42, 64, 64, ink), 'below the baseline').toBe(0)
    expect(pic.count(0, 0, 7, 64, ink), 'left of the origin').toBe(0)
    expect(pic.count(8, 17, 48, 40, (p) => p[0] >= 253 && p[1] >= 253 && p[2] >= 253), 'fill colour').toBeGreaterThan(60)
  })

  test('right and centre alignment end and centre the line on the position', async () => {
    const right = await render(page(), documentWith([text('t', { text: 'HI', align: 'right' }, 56, 40)]))
    expect(right.count(57, 0, 64, 64, ink), 'right of the alignment point').toBe(0)
    expect(right.count(20, 17, 56, 40, ink)).toBeGreaterThan(150)
    const centre = await render(page(), documentWith([text('t', { text: 'I', align: 'center' }, 32, 40)]))
    const left = centre.count(0, 17, 32, 40, ink)
    const rightHalf = centre.count(32, 17, 64, 40, ink)
    expect(left).toBeGreaterThan(20)
    expect(Math.abs(left - rightHalf)).toBeLessThanOrEqual(left * 0.25)
  })

  test('stroke colour appears around the fill', async () => {
    const pic = await render(page(), documentWith([text('t', { text: 'H', stroke: { color: '#ff0000', width: 4 } }, 8, 40)]))
    expect(pic.count(0, 0, 64, 64, (p) => p[0] > 200 && p[1] < 40 && p[2] < 40)).toBeGreaterThan(30)
    expect(pic.count(0, 0, 64, 64, (p) => p[0] > 250 && p[1] > 250 && p[2] > 250)).toBeGreaterThan(30)
  })
})

describe('shape', () => {
  const shapeLayer = (shapes: unknown[]): LayerInput => ({ id: 'sh', kind: 'shape', ...span, data: { shapes } }) as LayerInput
  const GREEN = [0, 255, 0, 255]

  test('rectangle and ellipse fill their outline only', async () => {
    const rect = await render(page(), documentWith([shapeLayer([{ type: 'rectangle', position: { value: [32, 32] }, size: { value: [20, 10] }, fill: { color: '#00ff00' } }])]))
    expectPixel(rect.at(32, 32), GREEN, 2, 'centre')
    expectPixel(rect.at(22, 27), GREEN, 2, 'corner')
    expectPixel(rect.at(21, 32), BLACK, 2, 'left of it')
    expectPixel(rect.at(32, 37), BLACK, 2, 'below it')
    const ellipse = await render(page(), documentWith([shapeLayer([{ type: 'ellipse', position: { value: [32, 32] }, size: { value: [30, 30] }, fill: { color: '#00ff00' } }])]))
    expectPixel(ellipse.at(32, 32), GREEN, 2, 'centre')
    expectPixel(ellipse.at(44, 32), GREEN, 2, 'inside the radius')
    // (21.5, 21.5) is 14.8 px from the centre along the diagonal... (20.5, 20.5) is 16.3 px: outside.
    expectPixel(ellipse.at(20, 20), BLACK, 2, 'outside the radius, inside the bounding box')
  })

  test('star has its points and notches; the first shape is on top', async () => {
    const pic = await render(page(), documentWith([
      shapeLayer([
        { type: 'rectangle', position: { value: [52, 52] }, size: { value: [8, 8] }, fill: { color: '#ff0000' } },
        { type: 'polygon', position: { value: [32, 32] }, points: 5, outerRadius: { value: 20 }, innerRadius: { value: 8 }, fill: { color: '#00ff00' } },
        { type: 'rectangle', position: { value: [52, 52] }, size: { value: [16, 16] }, fill: { color: '#0000ff' } },
      ]),
    ]))
    expectPixel(pic.at(32, 32), GREEN, 2, 'centre')
    expectPixel(pic.at(32, 17), GREEN, 2, 'top point (apex at y = 12, 1.7 px wide each side here)')
    // The notch between the top and upper-right points lies at radius 8; at radius 12 there is no star.
    const notch = [32 + 12 * Math.cos(-54 * (Math.PI / 180)), 32 + 12 * Math.sin(-54 * (Math.PI / 180))]
    expectPixel(pic.at(Math.floor(notch[0] as number), Math.floor(notch[1] as number)), BLACK, 2, 'notch')
    expectPixel(pic.at(52, 52), [255, 0, 0, 255], 2, 'first shape on top')
    expectPixel(pic.at(46, 46), [0, 0, 255, 255], 2, 'third shape below')
  })

  test('bezier path fill and a stroke-only path', async () => {
    const triangle = { closed: true, vertices: [{ point: [10, 10] }, { point: [54, 10] }, { point: [32, 54] }] }
    const pic = await render(page(), documentWith([shapeLayer([{ type: 'path', path: { value: triangle }, fill: { color: '#00ff00' } }])]))
    expectPixel(pic.at(32, 25), GREEN, 2, 'inside the triangle')
    expectPixel(pic.at(14, 40), BLACK, 2, 'outside the triangle')
    // A curved path: the top edge bulges up by 3/4 of the handle height (a cubic's midpoint).
    const bulge = { closed: true, vertices: [{ point: [10, 40], outTangent: [0, -24] }, { point: [54, 40], inTangent: [0, -24] }] }
    const curved = await render(page(), documentWith([shapeLayer([{ type: 'path', path: { value: bulge }, fill: { color: '#00ff00' } }])]))
    expectPixel(curved.at(32, 24), GREEN, 2, 'under the bulge top (y = 22)')
    expectPixel(curved.at(32, 20), BLACK, 2, 'above the bulge top')
    const stroked = await render(page(), documentWith([shapeLayer([{ type: 'rectangle', position: { value: [32, 32] }, size: { value: [32, 32] }, fill: null, stroke: { color: '#ff0000', width: 4 } }])]))
    expectPixel(stroked.at(16, 32), [255, 0, 0, 255], 2, 'on the outline')
    expectPixel(stroked.at(32, 32), BLACK, 2, 'no fill')
  })
})

describe('null and nested composition', () => {
  test('a null draws nothing but carries its children', async () => {
    const pic = await render(page(), documentWith([
      { id: 'n', kind: 'null', ...span, transform: { position: { value: [20, 20, 0] } } } as LayerInput,
      solid('child', '#ffffff', 4, 4, 8, 8, { parentId: 'n' }),
    ]))
    expectPixel(pic.at(24, 24), [255, 255, 255, 255], 2, 'child moved by the null')
    expectPixel(pic.at(6, 6), BLACK, 2, 'where the child would be unparented')
    expectPixel(pic.at(20, 20), BLACK, 2, 'the null itself')
  })

  test('nested composition is drawn as a layer (its own background dropped, its time mapped)', async () => {
    const child = {
      id: 'child', width: 32, height: 32, fps: 16, frameCount: 50, backgroundColor: '#00ff00',
      layers: [solid('late', '#0000ff', 16, 0, 16, 16, { inPoint: 5, outPoint: 50 }), solid('red', '#ff0000', 0, 0, 16, 16)],
    }
    const nested = (frame0: number, scale = 100): LayerInput => ({
      id: 'nest', kind: 'nestedComposition', ...span, startTime: frame0,
      data: { compositionId: 'child' },
      transform: { position: { value: [16, 16, 0] }, scale: { value: [scale, scale, 100] } },
    }) as LayerInput
    const doc = documentWith([nested(0)], {}, [child])
    const early = await render(page(), doc, 3)
    expectPixel(early.at(20, 20), [255, 0, 0, 255], 2, 'child red')
    expectPixel(early.at(40, 40), BLACK, 2, 'child background is transparent')
    expectPixel(early.at(36, 20), BLACK, 2, 'child layer not yet in')
    const shifted = await render(page(), documentWith([nested(-2)], {}, [child]), 3)
    expectPixel(shifted.at(36, 20), [0, 0, 255, 255], 2, 'child frame 5 at parent frame 3 with start −2')
    // Half-transparent content stays half-transparent (premultiplied once): 50 % red over blue.
    const faint = { ...child, id: 'faint', layers: [solid('half', '#ff0000', 0, 0, 32, 32, { transform: { opacity: { value: 50 } } } as Partial<LayerInput>)] }
    const overBlue = documentWith([{ ...nested(0), data: { compositionId: 'faint' } } as LayerInput], { backgroundColor: '#0000ff' }, [faint])
    expectPixel((await render(page(), overBlue, 0)).at(20, 20), [128, 0, 127, 255], 2, 'half red over blue')
    const scaled = await render(page(), documentWith([nested(0, 200)], {}, [child]), 3)
    expectPixel(scaled.at(46, 46), [255, 0, 0, 255], 2, 'scaled child')
    expectPixel(scaled.at(50, 12), BLACK, 2, 'above the scaled child')
  })
})

/** A WebM whose frame k is one flat colour, from Debian's ffmpeg. */
async function colourVideo(colours: [number, number, number][], fps: number): Promise<string> {
  const size = 16
  const raw = Buffer.alloc(colours.length * size * size * 3)
  colours.forEach((c, k) => { for (let i = 0; i < size * size; i++) raw.set(c, (k * size * size + i) * 3) })
  const args = ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${size}x${size}`, '-r', String(fps), '-i', '-', '-c:v', 'libvpx', '-b:v', '4M', '-crf', '4', '-pix_fmt', 'yuv420p', '-f', 'webm', '-']
  const ffmpeg = spawn('ffmpeg', args)
  const chunks: Buffer[] = []
  ffmpeg.stdout.on('data', (chunk: Buffer) => chunks.push(chunk))
  let errors = ''
  ffmpeg.stderr.on('data', (chunk) => { errors += chunk })
  ffmpeg.stdin.end(raw)
  const code = await new Promise((done) => ffmpeg.on('close', done))
  if (code !== 0) throw new Error(`ffmpeg failed: ${errors}`)
  return `data:video/webm;base64,${Buffer.concat(chunks).toString('base64')}`
}

describe('video', () => {
  test('shows the source frame of the composition frame, in any seek order', async () => {
    const colours = Array.from({ length: 8 }, (_, k): [number, number, number] => [k * 32, 255 - k * 32, 128])
    const video = await colourVideo(colours, 8)
    const doc = documentWith(
      [{ id: 'v', kind: 'video', ...span, data: { assetId: assetId(20) }, transform: { position: { value: [8, 8, 0] } } } as LayerInput],
      { fps: 8 },
    )
    for (const frame of [5, 2, 7, 0, 2, 6]) {
      const pic = await render(page(), doc, frame, 'color', { assets: { [assetId(20)]: video } })
      const colour = colours[frame] as [number, number, number]
      expectPixel(pic.at(16, 16), [...colour, 255], 10, `frame ${frame}`)
    }
    // startTime shifts the source: composition frame 4 with start 1 shows source frame 3.
    const late = documentWith([{ id: 'v', kind: 'video', ...span, startTime: 1, data: { assetId: assetId(20) } } as LayerInput], { fps: 8 })
    expectPixel((await render(page(), late, 4, 'color', { assets: { [assetId(20)]: video } })).at(4, 4), [...(colours[3] as [number, number, number]), 255], 10, 'source frame 3')
  })
})
