import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { LayerInput } from '../../../shared/project'
import { parseDocument } from '../../../shared/project'
import { evaluateComposition } from '../../../shared/engine'
import { richDocument } from '../project/documents'
import { apply, documentWith, expectClose, key } from './helpers'

const IMAGE = '0f8fad5b-d9cb-469f-a165-70867728950e'
const solid = (id: string, extra: Partial<LayerInput> = {}): LayerInput =>
  ({ id, kind: 'solid', outPoint: 81, data: { color: '#ff0000', width: 100, height: 100 }, ...extra }) as LayerInput

describe('evaluateComposition', () => {
  it('shows layers from inPoint (inclusive) to outPoint (exclusive) when enabled', () => {
    const doc = documentWith([solid('a', { inPoint: 10, outPoint: 20 }), solid('off', { visible: false })])
    const at = (frame: number) => evaluateComposition(doc, 'main', frame).layers.map((l) => l.visible)
    expect(at(9.99)).toEqual([false, false])
    expect(at(10)).toEqual([true, false])
    expect(at(19.99)).toEqual([true, false])
    expect(at(20)).toEqual([false, false])
    const off = evaluateComposition(doc, 'main', 15).layers[1]!
    expect([off.enabled, off.inRange, off.visible]).toEqual([false, true, false])
  })

  it('hides unsoloed layers when any layer is soloed, but keeps cameras', () => {
    const doc = documentWith([
      solid('a', { solo: true }),
      solid('b'),
      { id: 'cam', kind: 'camera', outPoint: 81 },
    ])
    expect(evaluateComposition(doc, 'main', 0).layers.map((l) => l.visible)).toEqual([true, false, true])
  })

  it('keeps stacking order, blend modes and resolves every animated property including kind data', () => {
    const doc = documentWith([
      {
        id: 'text', kind: 'text', outPoint: 81, blendMode: 'screen', data: { text: 'Hi' },
        transform: { opacity: { value: 100, keyframes: [key(0, 0), key(10, 100)] } },
      },
      {
        id: 'shapes', kind: 'shape', outPoint: 81,
        data: {
          shapes: [
            { type: 'rectangle', size: { value: [0, 0], keyframes: [key(0, [0, 0]), key(10, [200, 100])] } },
            { type: 'polygon', innerRadius: { value: 5, keyframes: [key(0, 5), key(10, 15)] } },
          ],
        },
      },
      { id: 'audio', kind: 'audio', outPoint: 81, data: { assetId: IMAGE, volume: { value: 0, keyframes: [key(0, 0), key(4, 100)] } } },
    ])
    const state = evaluateComposition(doc, 'main', 5)
    expect(state.layers.map((l) => l.id)).toEqual(['text', 'shapes', 'audio'])
    const [text, shapes, audio] = state.layers
    expect(text!.blendMode).toBe('screen')
    expect(text!.opacity).toBe(0.5)
    if (text!.kind !== 'text' || shapes!.kind !== 'shape' || audio!.kind !== 'audio') throw new Error('kinds')
    expect(text!.data.text).toBe('Hi')
    const [rect, polygon] = shapes!.data.shapes
    expect(rect!.type === 'rectangle' && rect!.size).toEqual([100, 50])
    expect(polygon!.type === 'polygon' && polygon!.innerRadius).toBe(10)
    expect(polygon!.type === 'polygon' && polygon!.outerRadius).toBe(50)
    expect(audio!.data.volume).toBe(100)
  })

  it('resolves masks, effects and track mattes (null matte id = the layer above)', () => {
    const vertex = (x: number, y: number) => ({ point: [x, y] as [number, number] })
    const square = (size: number) => ({ closed: true, vertices: [vertex(0, 0), vertex(size, 0), vertex(size, size)] })
    const doc = documentWith([
      solid('matte'),
      solid('user', {
        trackMatte: { mode: 'luma' },
        masks: [{ id: 'm', mode: 'subtract', path: { value: square(0), keyframes: [key(0, square(0)), key(10, square(100))] }, feather: { value: [2, 2] } }],
        effects: [{ id: 'e', type: 'blur', params: { amount: { value: 0, keyframes: [key(0, 0), key(10, 20)] }, mode: { value: 'both' } } }],
      } as Partial<LayerInput>),
      solid('other', { trackMatte: { mode: 'alpha', layerId: 'matte' } }),
      solid('plain'),
    ])
    const state = evaluateComposition(doc, 'main', 5)
    const [matte, user, other, plain] = state.layers
    expect(user!.trackMatte).toEqual({ mode: 'luma', layerId: 'matte' })
    expect(other!.trackMatte).toEqual({ mode: 'alpha', layerId: 'matte' })
    expect(plain!.trackMatte).toEqual({ mode: 'none', layerId: null })
    expect(matte!.matteFor).toEqual(['user', 'other'])
    const mask = user!.masks[0]!
    expect(mask.mode).toBe('subtract')
    expect(mask.feather).toEqual([2, 2])
    expect(mask.path.vertices.map((v) => v.point)).toEqual([[0, 0], [50, 0], [50, 50]])
    expect(user!.effects[0]!.params).toEqual({ amount: 10, mode: 'both' })
  })

  it('evaluates nested compositions at their own frame, converting frame rates and start times', () => {
    const inner = {
      id: 'inner', width: 512, height: 512, fps: 24, frameCount: 48,
      layers: [solid('img', { transform: { position: { value: [0, 0, 0], keyframes: [key(0, [0, 0, 0]), key(24, [240, 0, 0])] } } })],
    }
    const doc = documentWith(
      [
        { id: 'pre', kind: 'nestedComposition', outPoint: 81, startTime: 8, data: { compositionId: 'inner' } },
        { id: 'remapped', kind: 'nestedComposition', outPoint: 81, data: { compositionId: 'inner', timeRemap: { value: 0, keyframes: [key(0, 0), key(16, 48)] } } },
      ],
      { fps: 16 },
      [inner],
    )
    const state = evaluateComposition(doc, 'main', 12)
    const [pre, remapped] = state.layers
    // 4 frames after its start at 16 fps = 0.25 s = frame 6 at 24 fps.
    expect(pre!.nested!.frame).toBe(6)
    expect(pre!.nested!.composition.fps).toBe(24)
    expectClose(pre!.nested!.composition.layers[0]!.transform.position, [60, 0, 0])
    // Time remap: frame 12 of 16 → source frame 36.
    expect(remapped!.nested!.frame).toBe(36)
    expectClose(remapped!.nested!.composition.layers[0]!.transform.position, [240, 0, 0])
    expect(evaluateComposition(doc, 'main', 81).layers[0]!.nested).toBeNull()
  })

  it('gives video layers their source frame and time', () => {
    const doc = documentWith([
      { id: 'v', kind: 'video', outPoint: 81, startTime: 4, data: { assetId: IMAGE, playbackRate: 2 } },
      { id: 'r', kind: 'video', outPoint: 81, data: { assetId: IMAGE, timeRemap: { value: 7 } } },
    ])
    const [v, r] = evaluateComposition(doc, 'main', 10).layers
    expect(v!.source).toEqual({ frame: 12, time: 12 / 16 })
    expect(r!.source).toEqual({ frame: 7, time: 7 / 16 })
  })

  it('reports the active camera, and cameras per layer', () => {
    const doc = documentWith([
      solid('a', { threeD: true }),
      { id: 'cam', kind: 'camera', outPoint: 81, inPoint: 5, transform: { position: { value: [640, 360, -500] } } },
    ])
    expect(evaluateComposition(doc, 'main', 0).camera.layerId).toBeNull()
    const state = evaluateComposition(doc, 'main', 5)
    expect(state.camera.layerId).toBe('cam')
    expect(state.camera.position).toEqual([640, 360, -500])
    expect(state.layers[1]!.camera).toBe(state.camera)
  })

  it('throws for a missing composition or a non-finite frame', () => {
    const doc = documentWith([])
    expect(() => evaluateComposition(doc, 'nope', 0)).toThrow(/nope/)
    expect(() => evaluateComposition(doc, 'main', Number.NaN)).toThrow(/finite/)
  })

  it('evaluates a document using every layer kind, deterministically', () => {
    const { document } = parseDocument(richDocument())
    fc.assert(
      fc.property(fc.double({ min: -10, max: 100, noNaN: true }), (frame) => {
        const a = evaluateComposition(document, 'main', frame)
        const b = evaluateComposition(structuredClone(document), 'main', frame)
        expect(JSON.stringify(a)).toBe(JSON.stringify(b))
        for (const layer of a.layers) {
          for (const v of layer.worldMatrix) expect(Number.isFinite(v)).toBe(true)
        }
      }),
      { numRuns: 50 },
    )
    const at40 = evaluateComposition(document, 'main', 40.5)
    const title = at40.layers.find((l) => l.id === 'title')!
    // Keyframe k2 sits at 40.5: exactly its value, then through the 'ctrl' parent (identity).
    expect(title.transform.position).toEqual([640, 360, 0])
    expectClose(apply(title.worldMatrix, [0, 0, 0]), [640, 360, 0])
    const pre = at40.layers.find((l) => l.id === 'pre')!
    expect(pre.nested!.frame).toBeCloseTo((40.5 * 24) / 16, 12)
  })
})
