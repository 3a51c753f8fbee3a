import { describe, expect, it } from 'vitest'
import {
  addMask, createLayer, deleteMask, ellipsePath, fitPathToBounds, layerContentBounds, layerProperties, maskProperties, pathBounds,
  propertyAt, rectanglePath, setValueAtFrame, toggleAnimation,
} from '../../../shared/editor/ops'
import { evaluateComposition, valueAt } from '../../../shared/engine'
import { createEmptyDocument, projectDocumentSchema, type BezierPath } from '../../../shared/project'

function setup() {
  const doc = createEmptyDocument({ name: 'Masks' })
  const comp = doc.compositions.main!
  comp.width = 640
  comp.height = 360
  const solid = createLayer('solid', comp)
  if (solid.kind === 'solid') Object.assign(solid.data, { width: 200, height: 100 })
  comp.layers.push(solid)
  return { doc, comp, solid }
}

/** A point on the cubic segment from vertex i to i+1 at parameter t. */
function onSegment(path: BezierPath, i: number, t: number): [number, number] {
  const a = path.vertices[i]!
  const b = path.vertices[(i + 1) % path.vertices.length]!
  const p0 = a.point
  const p1 = [a.point[0] + a.outTangent[0], a.point[1] + a.outTangent[1]]
  const p2 = [b.point[0] + b.inTangent[0], b.point[1] + b.inTangent[1]]
  const p3 = b.point
  const u = 1 - t
  const at = (k: 0 | 1) => u * u * u * p0[k]! + 3 * u * u * t * p1[k]! + 3 * u * t * t * p2[k]! + t * t * t * p3[k]!
  return [at(0), at(1)]
}

describe('mask paths', () => {
  it('makes a rectangle through the four corners, clockwise', () => {
    const path = rectanglePath({ x: 10, y: 20, width: 30, height: 40 })
    expect(path.closed).toBe(true)
    expect(path.vertices.map((v) => v.point)).toEqual([[10, 20], [40, 20], [40, 60], [10, 60]])
    expect(path.vertices.every((v) => v.inTangent.every((c) => c === 0) && v.outTangent.every((c) => c === 0))).toBe(true)
  })

  it('makes an ellipse whose arcs stay on the ellipse within a tenth of a pixel', () => {
    const bounds = { x: 100, y: 50, width: 200, height: 100 }
    const path = ellipsePath(bounds)
    expect(pathBounds(path)).toEqual(bounds)
    for (let i = 0; i < 4; i++) {
      for (const t of [0.25, 0.5, 0.75]) {
        const [x, y] = onSegment(path, i, t)
        const r = Math.hypot((x - 200) / 100, (y - 100) / 50)
        expect(Math.abs(r - 1) * 100).toBeLessThan(0.1)
      }
    }
  })

  it('fits a path to a new box, scaling tangents, and only moves flat paths', () => {
    const fitted = fitPathToBounds(ellipsePath({ x: 0, y: 0, width: 100, height: 100 }), { x: 10, y: 10, width: 50, height: 200 })
    expect(pathBounds(fitted)).toEqual({ x: 10, y: 10, width: 50, height: 200 })
    expect(fitted.vertices[0]!.outTangent[0]).toBeCloseTo(50 * 0.5522847498 / 2, 6)
    expect(fitted.vertices[1]!.outTangent[1]).toBeCloseTo(200 * 0.5522847498 / 2, 6)
    const flat: BezierPath = { closed: false, vertices: [{ point: [0, 5], inTangent: [0, 0], outTangent: [0, 0] }, { point: [10, 5], inTangent: [0, 0], outTangent: [0, 0] }] }
    expect(fitPathToBounds(flat, { x: 0, y: 20, width: 30, height: 9 }).vertices.map((v) => v.point)).toEqual([[0, 20], [30, 20]])
    expect(pathBounds({ closed: true, vertices: [] })).toEqual({ x: 0, y: 0, width: 0, height: 0 })
  })
})

describe('mask edits', () => {
  it('knows the content box of solids and nested compositions only', () => {
    const { doc, comp, solid } = setup()
    expect(layerContentBounds(solid)).toEqual({ x: 0, y: 0, width: 200, height: 100 })
    expect(layerContentBounds(createLayer('text', comp))).toBeNull()
    doc.compositions.inner = { ...structuredClone(comp), id: 'inner', layers: [], width: 64, height: 48 }
    expect(layerContentBounds(createLayer('nestedComposition', comp, { compositionId: 'inner' }), doc)).toEqual({ x: 0, y: 0, width: 64, height: 48 })
  })

  it('adds masks with unique names and valid defaults, and deletes them by id', () => {
    const { doc, solid } = setup()
    const first = addMask(solid, 'rectangle', { x: 0, y: 0, width: 100, height: 100 })
    const second = addMask(solid, 'ellipse', { x: 0, y: 0, width: 50, height: 50 })
    expect(solid.masks.map((m) => m.name)).toEqual(['Mask 1', 'Mask 2'])
    expect(first).toMatchObject({ mode: 'add', inverted: false, feather: { value: [0, 0] }, expansion: { value: 0 }, opacity: { value: 100 } })
    expect(first.id).not.toBe(second.id)
    expect(projectDocumentSchema.safeParse(doc).success).toBe(true)

    expect(deleteMask(solid, first.id)).toBe(true)
    expect(deleteMask(solid, first.id)).toBe(false)
    expect(solid.masks.map((m) => m.id)).toEqual([second.id])
    // The freed name is reused.
    expect(addMask(solid, 'rectangle', { x: 0, y: 0, width: 1, height: 1 }).name).toBe('Mask 1')
  })

  it('lists every mask property, addressable and animatable like the others', () => {
    const { solid } = setup()
    addMask(solid, 'rectangle', { x: 0, y: 0, width: 100, height: 100 })
    addMask(solid, 'ellipse', { x: 0, y: 0, width: 100, height: 100 })
    const infos = maskProperties(solid)
    expect(infos.map((i) => i.path)).toEqual([
      'masks.0.path', 'masks.0.feather', 'masks.0.expansion', 'masks.0.opacity',
      'masks.1.path', 'masks.1.feather', 'masks.1.expansion', 'masks.1.opacity',
    ])
    expect(maskProperties(solid, 1).every((i) => i.group === 'Mask 2')).toBe(true)
    expect(infos.find((i) => i.path === 'masks.0.path')?.valueKind).toBe('path')
    expect(layerProperties(solid).map((i) => i.path)).toEqual(expect.arrayContaining(infos.map((i) => i.path)))
    for (const info of infos) expect(propertyAt(solid, info.path), info.path).not.toBeNull()
  })

  it('animates a mask path between two boxes, which the engine interpolates and evaluates', () => {
    const { doc, solid } = setup()
    addMask(solid, 'rectangle', { x: 0, y: 0, width: 100, height: 100 })
    const path = propertyAt(solid, 'masks.0.path')!
    toggleAnimation(path, 0)
    setValueAtFrame(path, 10, fitPathToBounds(valueAt(path, 0) as BezierPath, { x: 100, y: 0, width: 100, height: 50 }))
    const feather = propertyAt(solid, 'masks.0.feather')!
    setValueAtFrame(feather, 0, [4, 2])
    expect(pathBounds(valueAt(path, 5) as BezierPath)).toEqual({ x: 50, y: 0, width: 100, height: 75 })
    expect(projectDocumentSchema.safeParse(doc).success).toBe(true)
    const state = evaluateComposition(doc, 'main', 5)
    const mask = state.layers[0]!.masks[0]!
    expect(pathBounds(mask.path)).toEqual({ x: 50, y: 0, width: 100, height: 75 })
    expect(mask.feather).toEqual([4, 2])
  })
})
