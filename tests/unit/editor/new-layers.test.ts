import { describe, expect, it } from 'vitest'
import { addAssetLayer, centreAnchorOn, clipFrames, createLayer } from '../../../shared/editor/ops'
import { evaluateComposition, mat4 } from '../../../shared/engine'
import { createEmptyDocument, type Layer } from '../../../shared/project'

const ASSET = '00000000-0000-4000-8000-000000000001'

function docWith(layer: (comp: ReturnType<typeof createEmptyDocument>['compositions'][string]) => Layer) {
  const doc = createEmptyDocument({ name: 'New layers' })
  const comp = doc.compositions[doc.mainCompositionId]!
  comp.width = 1280
  comp.height = 720
  comp.fps = 24
  comp.frameCount = 240
  const made = layer(comp)
  comp.layers.push(made)
  return { doc, comp, layer: made }
}

/** Where the layer-space point lands in the composition at frame 0. */
function placed(doc: ReturnType<typeof docWith>['doc'], layerId: string, point: [number, number]) {
  const state = evaluateComposition(doc, doc.mainCompositionId, 0).layers.find((each) => each.id === layerId)!
  return mat4.transformPoint(state.worldMatrix, [point[0], point[1], 0]).map((v) => Math.round(v * 1000) / 1000)
}

describe('new layers pivot at their centre', () => {
  it('puts an image of its own size in the middle of the composition with the anchor at its centre', () => {
    const { doc, layer } = docWith((comp) => createLayer('image', comp, { assetId: ASSET, size: { width: 640, height: 360 } }))
    expect(layer.transform.anchor.value).toEqual([320, 180, 0])
    expect(placed(doc, layer.id, [0, 0])).toEqual([320, 180, 0])
    expect(placed(doc, layer.id, [640, 360])).toEqual([960, 540, 0])
  })

  it('rotates and scales about the picture centre', () => {
    for (const kind of ['image', 'video', 'depth', 'nestedComposition', 'solid'] as const) {
      const { doc, layer } = docWith((comp) => createLayer(kind, comp, { assetId: ASSET, depthAssetId: ASSET, compositionId: 'main', size: { width: 400, height: 200 } }))
      layer.transform.rotation.value = 90
      layer.transform.scale.value = [50, 50, 100]
      const [ax, ay] = layer.transform.anchor.value
      expect(placed(doc, layer.id, [ax, ay]), kind).toEqual([640, 360, 0])
    }
  })

  it('falls back to the composition size when the picture size is unknown', () => {
    const { layer } = docWith((comp) => createLayer('image', comp, { assetId: ASSET }))
    expect(layer.transform.anchor.value).toEqual([640, 360, 0])
  })

  it('keeps shapes and text drawn around the layer origin, which sits at the composition centre', () => {
    for (const kind of ['shape', 'text'] as const) {
      const { layer } = docWith((comp) => createLayer(kind, comp))
      expect(layer.transform.anchor.value, kind).toEqual([0, 0, 0])
      expect(layer.transform.position.value, kind).toEqual([640, 360, 0])
    }
  })

  it('places an asset with the anchor at its centre through addAssetLayer', () => {
    const doc = createEmptyDocument({ name: 'x' })
    const layer = addAssetLayer(doc, { id: ASSET, name: 'clip', kind: 'image', width: 300, height: 100 })
    expect(layer.transform.anchor.value).toEqual([150, 50, 0])
  })
})

describe('video layers last as long as their clip', () => {
  it('converts the clip length to composition frames', () => {
    expect(clipFrames(2.5, 24)).toBe(60)
    expect(clipFrames(1 / 30, 24)).toBe(1)
    expect(clipFrames(undefined, 24)).toBeNull()
    expect(clipFrames(0, 24)).toBeNull()
  })

  it('ends a dropped 2.5 s clip at frame 60 of a 24 fps composition, not at its end', () => {
    const { layer } = docWith((comp) => createLayer('video', comp, { assetId: ASSET, durationSeconds: 2.5 }))
    expect([layer.inPoint, layer.outPoint]).toEqual([0, 60])
    const doc = createEmptyDocument({ name: 'x' })
    const comp = doc.compositions[doc.mainCompositionId]!
    const added = addAssetLayer(doc, { id: ASSET, name: 'clip', kind: 'video', width: 64, height: 64, durationSeconds: 2 })
    expect(added.outPoint).toBe(Math.round(2 * comp.fps))
  })

  it('lasts as long as its clip even past the end of the composition', () => {
    const { comp, layer } = docWith((c) => createLayer('video', c, { assetId: ASSET, durationSeconds: 20 }))
    expect(layer.outPoint).toBe(480)
    expect(comp.frameCount).toBe(240)
  })

  it('spans the composition when the clip length is unknown', () => {
    const { comp, layer } = docWith((c) => createLayer('video', c, { assetId: ASSET }))
    expect(layer.outPoint).toBe(comp.frameCount)
  })
})

describe('centreAnchorOn', () => {
  it('moves the anchor to the middle of the content box and keeps the position', () => {
    const { doc, layer } = docWith((comp) => createLayer('text', comp, { text: 'Hello' }))
    centreAnchorOn(layer, { x: -2, y: -40, width: 120, height: 50 })
    expect(layer.transform.anchor.value).toEqual([58, -15, 0])
    expect(layer.transform.position.value).toEqual([640, 360, 0])
    expect(placed(doc, layer.id, [58, -15])).toEqual([640, 360, 0])
    centreAnchorOn(layer, null)
    expect(layer.transform.anchor.value).toEqual([58, -15, 0])
  })
})
