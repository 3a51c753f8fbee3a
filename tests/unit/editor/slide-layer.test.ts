import { describe, expect, it } from 'vitest'
import { addMask, createLayer, slideLayer } from '../../../shared/editor/ops'
import { evaluateComposition } from '../../../shared/engine'
import { createEmptyDocument, parseDocument, projectDocumentSchema, type Layer } from '../../../shared/project'

const key = (id: string, frame: number, value: number) => ({ id, frame, value, interpolation: 'linear' as const })

/** A solid whose position, rotation (shown), X rotation (hidden while 2D), mask opacity and effect parameter are keyed. */
function animated() {
  const doc = createEmptyDocument({ name: 'Slide' })
  const comp = doc.compositions[doc.mainCompositionId]!
  comp.frameCount = 60
  const layer = createLayer('solid', comp)
  layer.transform.position.keyframes = [{ id: 'p0', frame: 0, value: [0, 0, 0], interpolation: 'linear' }, { id: 'p1', frame: 20, value: [200, 100, 0], interpolation: 'linear' }]
  layer.transform.rotation.keyframes = [key('r0', 5, 0), key('r1', 15, 90)]
  layer.transform.rotationX.keyframes = [key('x0', 2, 0), key('x1', 12, 45)]
  addMask(layer, 'rectangle', { x: 0, y: 0, width: 100, height: 100 })
  layer.masks[0]!.opacity.keyframes = [key('m0', 3, 0), key('m1', 9, 100)]
  layer.effects.push({ id: 'fx', type: 'blur', enabled: true, params: { radius: { value: 0, keyframes: [key('e0', 0, 0), key('e1', 10, 8)] } } } as Layer['effects'][number])
  comp.layers.push(layer)
  return { doc, comp, layer }
}
const frames = (layer: Layer) => [
  layer.transform.position.keyframes.map((k) => k.frame),
  layer.transform.rotation.keyframes.map((k) => k.frame),
  layer.transform.rotationX.keyframes.map((k) => k.frame),
  layer.masks[0]!.opacity.keyframes.map((k) => k.frame),
  layer.effects[0]!.params.radius!.keyframes.map((k) => k.frame),
]

describe('sliding a layer in time', () => {
  it('moves its in and out points, its source and every keyframe by the same frames', () => {
    const { layer } = animated()
    slideLayer(layer, 12)
    expect([layer.inPoint, layer.outPoint, layer.startTime]).toEqual([12, 72, 12])
    expect(frames(layer)).toEqual([[12, 32], [17, 27], [14, 24], [15, 21], [12, 22]])
  })

  it('plays the same animation later: the slid layer at frame f + d equals the original at f', () => {
    const { doc, layer } = animated()
    const before = [0, 4, 10, 17, 25].map((f) => evaluateComposition(doc, doc.mainCompositionId, f).layers[0]!)
    slideLayer(layer, 7)
    const after = [0, 4, 10, 17, 25].map((f) => evaluateComposition(doc, doc.mainCompositionId, f + 7).layers[0]!)
    expect(after.map((state) => state.transform)).toEqual(before.map((state) => state.transform))
    expect(after.map((state) => state.masks[0]!.opacity)).toEqual(before.map((state) => state.masks[0]!.opacity))
    expect(after.map((state) => state.effects[0]!.params.radius)).toEqual(before.map((state) => state.effects[0]!.params.radius))
  })

  it('may take keyframes before frame 0, and the document stays valid and readable', () => {
    const { doc, layer } = animated()
    slideLayer(layer, -10)
    expect(layer.inPoint).toBe(-10)
    expect(layer.transform.position.keyframes.map((k) => k.frame)).toEqual([-10, 10])
    expect(projectDocumentSchema.safeParse(doc).success).toBe(true)
    expect(parseDocument(JSON.parse(JSON.stringify(doc))).document.compositions[doc.mainCompositionId]!.layers[0]!.transform.position.keyframes.map((k) => k.frame)).toEqual([-10, 10])
    // At frame 0 the layer is halfway along its path, as it was at frame 10 before the slide.
    expect(evaluateComposition(doc, doc.mainCompositionId, 0).layers[0]!.transform.position).toEqual([100, 50, 0])
    slideLayer(layer, 10)
    expect(frames(layer)).toEqual(frames(animated().layer))
  })

  it('does nothing for a zero slide', () => {
    const { layer } = animated()
    const copy = structuredClone(layer)
    slideLayer(layer, 0)
    expect(layer).toEqual(copy)
  })
})
