import { describe, expect, it } from 'vitest'
import { addDepthResult, addMatteResult, addNormalsResult, addTracedMask, isAiSourceLayer } from '../../../shared/editor/ai-layers'
import { createLayer } from '../../../shared/editor/ops'
import { evaluateComposition, mat4 } from '../../../shared/engine'
import { traceMask } from '../../../shared/ai/trace-mask'
import { createEmptyDocument, projectDocumentSchema, type Composition, type Layer, type ProjectDocument } from '../../../shared/project'

const IMAGE = '11111111-1111-4111-8111-111111111111'
const VIDEO = '22222222-2222-4222-8222-222222222222'
const RESULT = '33333333-3333-4333-8333-333333333333'

function documentWith(kind: 'image' | 'video'): { doc: ProjectDocument; comp: Composition; source: Layer } {
  const doc = createEmptyDocument({ name: 'AI', width: 640, height: 360, fps: 24, frameCount: 48 } as never)
  const comp = doc.compositions[doc.mainCompositionId]!
  const solid = createLayer('solid', comp)
  const source = createLayer(kind, comp, { assetId: kind === 'image' ? IMAGE : VIDEO, name: 'Beach' })
  source.transform.anchor.value = [200, 100, 0]
  source.transform.position.value = [300, 170, 0]
  source.transform.scale.value = [50, 50, 100]
  source.transform.rotation = { value: 0, keyframes: [{ id: 'key-a', frame: 0, value: 0, interpolation: 'linear' }, { id: 'key-b', frame: 24, value: 30, interpolation: 'linear' }] } as never
  source.inPoint = 4
  source.outPoint = 40
  if (source.kind === 'video') source.data.playbackRate = 2
  comp.layers.push(source, solid)
  return { doc, comp, source }
}

/** The document round-trips through the project schema unchanged: it is valid and canonical. */
function expectValid(doc: ProjectDocument): void {
  const parsed = projectDocumentSchema.safeParse(JSON.parse(JSON.stringify(doc)))
  expect(parsed.success ? [] : parsed.error.issues).toEqual([])
}

/** Where a point of a layer's own space lands in the composition at `frame`. */
function toComposition(doc: ProjectDocument, layerId: string, point: [number, number], frame = 10): number[] {
  const state = evaluateComposition(doc, doc.mainCompositionId, frame).layers.find((each) => each.id === layerId)!
  return mat4.transformPoint(state.worldMatrix, [point[0], point[1], 0]).map((v) => Math.round(v * 1000) / 1000)
}

describe('adding AI results to a document', () => {
  it('depth of an image: a depth layer of the picture in the same place above it, parallax ready; the image switched off', () => {
    const { doc, comp, source } = documentWith('image')
    const { layer, note } = addDepthResult(comp, source.id, { id: RESULT, width: 400, height: 200 }, { width: 400, height: 200 })
    expectValid(doc)
    expect(comp.layers.map((each) => each.id)).toEqual([layer.id, source.id, comp.layers[2]!.id])
    expect(layer.kind).toBe('depth')
    if (layer.kind !== 'depth') return
    expect(layer.data.assetId).toBe(IMAGE)
    expect(layer.data.depthAssetId).toBe(RESULT)
    expect(layer.data.displacement.value).toBe(20)
    expect(layer.name).toBe('Beach depth')
    expect([layer.inPoint, layer.outPoint]).toEqual([4, 40])
    expect(source.visible).toBe(false)
    expect(note).toMatch(/switched off/)
    // Same place (animation included), with keyframe ids of its own.
    expect(toComposition(doc, layer.id, [10, 20], 12)).toEqual(toComposition(doc, source.id, [10, 20], 12))
    const ids = [...source.transform.rotation.keyframes, ...layer.transform.rotation.keyframes].map((k) => k.id)
    expect(new Set(ids).size).toBe(4)
  })

  it('depth of a video: a video layer of the depth video named "… depth", in step with the source', () => {
    const { doc, comp, source } = documentWith('video')
    const { layer } = addDepthResult(comp, source.id, { id: RESULT, kind: 'video', width: 400, height: 200 }, { width: 400, height: 200 })
    expectValid(doc)
    expect(layer.kind).toBe('video')
    expect(layer.name).toBe('Beach depth')
    expect(layer.kind === 'video' && [layer.data.assetId, layer.data.playbackRate]).toEqual([RESULT, 2])
    expect(source.visible).toBe(true)
    expect(comp.layers[0]!.id).toBe(layer.id)
  })

  it('remove background: a hidden matte layer directly above, parented and aligned, and the layer matted by its luma', () => {
    const { doc, comp, source } = documentWith('image')
    // A matte at half the source's resolution still lands pixel on pixel.
    const { layer } = addMatteResult(comp, source.id, { id: RESULT, kind: 'image', width: 200, height: 100 }, { sourceSize: { width: 400, height: 200 } })
    expectValid(doc)
    expect(comp.layers.indexOf(layer)).toBe(comp.layers.indexOf(source) - 1)
    expect(source.trackMatte).toEqual({ mode: 'luma', layerId: layer.id })
    expect(layer.visible).toBe(false)
    expect(layer.parentId).toBe(source.id)
    expect(toComposition(doc, layer.id, [100, 50])).toEqual(toComposition(doc, source.id, [200, 100]))
    expect(toComposition(doc, layer.id, [0, 0], 30)).toEqual(toComposition(doc, source.id, [0, 0], 30))
    // The renderer treats it as a matte: never drawn itself.
    const state = evaluateComposition(doc, doc.mainCompositionId, 10)
    expect(state.layers.find((each) => each.id === layer.id)!.matteFor).toEqual([source.id])
  })

  it('remove background on a video: a matte video in step; a segment mask on a video frame is an image matte', () => {
    const { doc, comp, source } = documentWith('video')
    const { layer } = addMatteResult(comp, source.id, { id: RESULT, kind: 'video' })
    expectValid(doc)
    expect(layer.kind === 'video' && layer.data.playbackRate).toBe(2)
    const second = addMatteResult(comp, source.id, { id: RESULT, kind: 'image' }, { name: 'Beach segment' })
    expectValid(doc)
    expect(second.layer.kind).toBe('image')
    expect(source.trackMatte.layerId).toBe(second.layer.id)
  })

  it('normal map: an image layer above in the same place', () => {
    const { doc, comp, source } = documentWith('image')
    const { layer } = addNormalsResult(comp, source.id, { id: RESULT, width: 400, height: 200 }, { width: 400, height: 200 })
    expectValid(doc)
    expect(layer.kind === 'image' && layer.data.assetId).toBe(RESULT)
    expect(layer.name).toBe('Beach normals')
    expect(toComposition(doc, layer.id, [33, 44])).toEqual(toComposition(doc, source.id, [33, 44]))
  })

  it('a traced segmentation mask becomes an editable mask path on the layer', () => {
    const { doc, source } = documentWith('image')
    const data = new Uint8Array(40 * 20)
    for (let y = 5; y < 15; y++) for (let x = 10; x < 30; x++) data[y * 40 + x] = 255
    const traced = traceMask({ width: 40, height: 20, data }, { size: { width: 400, height: 200 } })
    expect(traced.ok).toBe(true)
    if (!traced.ok) return
    const mask = addTracedMask(source, traced.path, 'Segment')
    const again = addTracedMask(source, traced.path, 'Segment')
    expectValid(doc)
    expect(source.masks.map((m) => m.name)).toEqual(['Segment', 'Segment 2'])
    // The box's corners in layer space (the mask is a tenth of the layer's size), within half a mask pixel.
    const corners = [[100, 50], [300, 50], [300, 150], [100, 150]]
    expect(mask.path.value.vertices).toHaveLength(4)
    for (const [x, y] of corners) expect(Math.min(...mask.path.value.vertices.map((v) => Math.hypot(v.point[0] - x!, v.point[1] - y!)))).toBeLessThanOrEqual(5)
    expect(again.id).not.toBe(mask.id)
  })

  it('puts a result above a layer and the matte directly above it, keeping the two together', () => {
    const { doc, comp, source } = documentWith('image')
    const matte = addMatteResult(comp, source.id, { id: RESULT, kind: 'image' }).layer
    const depth = addDepthResult(comp, source.id, { id: RESULT }).layer
    expectValid(doc)
    expect(comp.layers.slice(0, 3).map((each) => each.id)).toEqual([depth.id, matte.id, source.id])
  })

  it('refuses layers that are gone or are not pictures', () => {
    const { comp } = documentWith('image')
    expect(() => addMatteResult(comp, 'nope', { id: RESULT })).toThrow(/no longer/)
    expect(() => addNormalsResult(comp, comp.layers[1]!.id, { id: RESULT })).toThrow(/image and video/)
    expect(isAiSourceLayer(comp.layers[0])).toBe(true)
    expect(isAiSourceLayer(comp.layers[1])).toBe(false)
  })
})
