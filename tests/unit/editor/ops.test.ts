import { describe, expect, it } from 'vitest'
import {
  copyLayersForPaste, createLayer, deleteKeyframes, formatTimecode, keyframeEase, layerProperties, moveItem, moveKeyframes,
  pasteKeyframes, propertyAt, setKeyframeEase, setValueAtFrame, toggleAnimation, wouldCreateCycle,
} from '../../../shared/editor/ops'
import { valueAt } from '../../../shared/engine'
import { LAYER_KINDS, createEmptyDocument, projectDocumentSchema, type AnimatableProperty, type Keyframe } from '../../../shared/project'

const ASSET = '00000000-0000-4000-8000-000000000001'

function prop(frames: number[]): AnimatableProperty<number> {
  return { value: 0, keyframes: frames.map((frame) => ({ id: `k${frame}`, frame, value: frame * 10, interpolation: 'linear' as const })) }
}

describe('createLayer', () => {
  it('makes a valid layer of every kind', () => {
    const doc = createEmptyDocument({ name: 'Kinds' })
    doc.compositions.inner = { ...structuredClone(doc.compositions.main!), id: 'inner', name: 'Inner' }
    const comp = doc.compositions.main!
    for (const kind of LAYER_KINDS) {
      comp.layers.push(createLayer(kind, comp, { assetId: ASSET, depthAssetId: ASSET, compositionId: 'inner' }))
    }
    for (const shapeType of ['rectangle', 'ellipse', 'star', 'path', 'polygon'] as const) comp.layers.push(createLayer('shape', comp, { shapeType }))
    const parsed = projectDocumentSchema.safeParse(doc)
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true)
    expect(new Set(comp.layers.map((layer) => layer.id)).size).toBe(comp.layers.length)
    expect(comp.layers[3]!.name).toBe('Solid 1')
    expect(comp.layers.every((layer) => layer.outPoint === comp.frameCount)).toBe(true)
  })

  it('refuses a media layer without its asset', () => {
    const comp = createEmptyDocument({ name: 'x' }).compositions.main!
    expect(() => createLayer('image', comp)).toThrow('needs an asset')
  })

  it('lists animatable properties that exist on the layer', () => {
    const comp = createEmptyDocument({ name: 'x' }).compositions.main!
    const star = createLayer('shape', comp, { shapeType: 'star' })
    for (const info of layerProperties(star)) expect(propertyAt(star, info.path), info.path).not.toBeNull()
    expect(layerProperties(star).map((info) => info.path)).toContain('data.shapes.0.innerRadius')
    const camera = createLayer('camera', comp)
    expect(layerProperties(camera).map((info) => info.path)).toContain('transform.rotationX')
  })
})

describe('keyframe edits', () => {
  it('sets the static value, the keyframe at the frame, or inserts one in order', () => {
    const p = prop([])
    setValueAtFrame(p, 5, 7)
    expect(p).toEqual({ value: 7, keyframes: [] })
    const q = prop([0, 10])
    setValueAtFrame(q, 10, 3)
    expect(q.keyframes.map((k) => [k.frame, k.value])).toEqual([[0, 0], [10, 3]])
    setValueAtFrame(q, 4, 99)
    expect(q.keyframes.map((k) => [k.frame, k.value])).toEqual([[0, 0], [4, 99], [10, 3]])
  })

  it('toggles animation keeping the value seen at the frame', () => {
    const p = prop([0, 10])
    toggleAnimation(p, 5)
    expect(p).toEqual({ value: 50, keyframes: [] })
    toggleAnimation(p, 3)
    expect(p.keyframes).toHaveLength(1)
    expect(p.keyframes[0]).toMatchObject({ frame: 3, value: 50 })
  })

  it('moves keyframes, replacing ones they land on, never before frame 0', () => {
    const p = prop([0, 5, 10])
    moveKeyframes(p, new Set(['k0']), 5)
    expect(p.keyframes.map((k) => [k.id, k.frame])).toEqual([['k0', 5], ['k10', 10]])
    moveKeyframes(p, new Set(['k0', 'k10']), -20)
    expect(p.keyframes.map((k) => k.frame)).toEqual([0, 5])
  })

  it('deletes keyframes and keeps the value when the last goes', () => {
    const p = prop([0, 10])
    expect(deleteKeyframes(p, new Set(['k0']), 5)).toBe(1)
    deleteKeyframes(p, new Set(['k10']), 5)
    expect(p).toEqual({ value: 100, keyframes: [] })
  })

  it('sets eases the engine understands', () => {
    const p = prop([0, 10])
    const first = p.keyframes[0] as Keyframe<number>
    setKeyframeEase(first, 'easeIn')
    expect(keyframeEase(first)).toBe('easeIn')
    expect(valueAt(p, 5)).toBeLessThan(50)
    setKeyframeEase(first, 'hold')
    expect(first.easing).toBeUndefined()
    expect(valueAt(p, 9)).toBe(0)
  })

  it('pastes keyframes at a frame, keeping their spacing', () => {
    const p = prop([0, 3])
    const ids = pasteKeyframes(p, prop([10, 14]).keyframes, 3)
    expect(ids).toHaveLength(2)
    expect(p.keyframes.map((k) => [k.frame, k.value])).toEqual([[0, 0], [3, 100], [7, 140]])
  })
})

describe('layers', () => {
  it('finds parent cycles', () => {
    const layers = [{ id: 'a', parentId: null }, { id: 'b', parentId: 'a' }, { id: 'c', parentId: 'b' }]
    expect(wouldCreateCycle(layers, 'a', 'c')).toBe(true)
    expect(wouldCreateCycle(layers, 'a', 'a')).toBe(true)
    expect(wouldCreateCycle(layers, 'c', 'a')).toBe(false)
    expect(wouldCreateCycle(layers, 'a', null)).toBe(false)
  })

  it('moves items', () => {
    const list = ['a', 'b', 'c', 'd']
    moveItem(list, 0, 2)
    expect(list).toEqual(['b', 'c', 'a', 'd'])
    moveItem(list, 3, 0)
    expect(list).toEqual(['d', 'b', 'c', 'a'])
  })

  it('copies layers with fresh ids, keeping links inside the copy only', () => {
    const doc = createEmptyDocument({ name: 'x' })
    const comp = doc.compositions.main!
    const parent = createLayer('null', comp)
    comp.layers.push(parent)
    const child = createLayer('solid', comp)
    child.parentId = parent.id
    toggleAnimation(child.transform.position, 0)
    comp.layers.push(child)
    const outsider = createLayer('text', comp)
    outsider.parentId = parent.id
    comp.layers.push(outsider)

    const [pParent, pChild] = copyLayersForPaste([parent, child], comp)
    expect(pChild!.parentId).toBe(pParent!.id)
    expect(pChild!.transform.position.keyframes[0]!.id).not.toBe(child.transform.position.keyframes[0]!.id)
    const [lone] = copyLayersForPaste([outsider], comp)
    expect(lone!.parentId).toBeNull()
    comp.layers.push(pParent!, pChild!, lone!)
    expect(projectDocumentSchema.safeParse(doc).success).toBe(true)
  })

  it('formats timecode', () => {
    expect(formatTimecode(0, 24)).toBe('00:00:00:00')
    expect(formatTimecode(49, 24)).toBe('00:00:02:01')
    expect(formatTimecode(24 * 3661 + 5, 24)).toBe('01:01:01:05')
    expect(formatTimecode(30, 29.97)).toBe('00:00:01:00')
  })
})
