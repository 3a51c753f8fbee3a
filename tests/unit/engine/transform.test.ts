import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { LayerInput } from '../../../shared/project'
import { type TransformValues, evaluateComposition, localMatrix, mat4 } from '../../../shared/engine'
import { apply, documentWith, expectClose } from './helpers'

const values = (overrides: Partial<TransformValues> = {}): TransformValues => ({
  anchor: [0, 0, 0],
  position: [0, 0, 0],
  scale: [100, 100, 100],
  rotation: 0,
  rotationX: 0,
  rotationY: 0,
  orientation: [0, 0, 0],
  opacity: 100,
  ...overrides,
})

describe('layer transform', () => {
  it('moves the anchor to the position and scales around it', () => {
    const m = localMatrix(values({ anchor: [50, 50, 0], position: [300, 200, 0], scale: [200, 50, 100] }), false)
    expectClose(apply(m, [50, 50, 0]), [300, 200, 0])
    expectClose(apply(m, [60, 50, 0]), [320, 200, 0])
    expectClose(apply(m, [50, 60, 0]), [300, 205, 0])
  })

  it('rotates clockwise on screen for positive Z rotation (y points down)', () => {
    const m = localMatrix(values({ position: [100, 100, 0], rotation: 90 }), false)
    expectClose(apply(m, [10, 0, 0]), [100, 110, 0])
  })

  it('ignores z, X/Y rotation and orientation on 2D layers', () => {
    const v = values({ position: [1, 2, 500], anchor: [0, 0, 7], rotationX: 45, rotationY: 30, orientation: [10, 20, 30], scale: [100, 100, 300] })
    expectClose(localMatrix(v, false), mat4.translation(1, 2, 0))
  })

  it('applies Z rotation first, then Y, X and orientation (After Effects order)', () => {
    // Rx(90)·Rz(90) sends +X to +Y, then to +Z; the other order would leave it on +Y.
    expectClose(apply(localMatrix(values({ rotation: 90, rotationX: 90 }), true), [1, 0, 0]), [0, 0, 1])
    // Orientation applies after the rotations: the same result with orientation X instead.
    expectClose(apply(localMatrix(values({ rotation: 90, orientation: [90, 0, 0] }), true), [1, 0, 0]), [0, 0, 1])
    // Y rotation of 90° turns +Z (away from the viewer) to +X.
    expectClose(apply(localMatrix(values({ rotationY: 90 }), true), [0, 0, 1]), [1, 0, 0])
    // Orientation X then Y: Rx(90)·Ry(90) sends +Z to +X first, X stays.
    expectClose(apply(localMatrix(values({ orientation: [90, 90, 0] }), true), [0, 0, 1]), [1, 0, 0])
  })

  it('3D layers use z of anchor, position and scale', () => {
    const m = localMatrix(values({ anchor: [0, 0, 10], position: [0, 0, 100], scale: [100, 100, 200] }), true)
    expectClose(apply(m, [0, 0, 10]), [0, 0, 100])
    expectClose(apply(m, [0, 0, 11]), [0, 0, 102])
  })
})

describe('parenting', () => {
  const layers: LayerInput[] = [
    { id: 'child', kind: 'null', outPoint: 81, parentId: 'parent', transform: { position: { value: [10, 0, 0] }, opacity: { value: 50 } } },
    {
      id: 'parent', kind: 'null', outPoint: 81, parentId: 'grand',
      transform: { position: { value: [100, 100, 0] }, rotation: { value: 90 }, opacity: { value: 10 } },
    },
    { id: 'grand', kind: 'null', outPoint: 81, transform: { scale: { value: [200, 200, 100] } } },
  ]

  it('places a child through its rotated, scaled parents', () => {
    const state = evaluateComposition(documentWith(layers), 'main', 0)
    const child = state.layers[0]!
    // Parent: (10,0) → rotated 90° → (0,10) → + (100,100) → (100,110); grandparent doubles it.
    expectClose(apply(child.worldMatrix, [0, 0, 0]), [200, 220, 0])
    expectClose(apply(child.worldMatrix, [1, 0, 0]), [200, 222, 0])
  })

  it('does not inherit opacity from parents', () => {
    const state = evaluateComposition(documentWith(layers), 'main', 0)
    expect(state.layers.map((l) => l.opacity)).toEqual([0.5, 0.1, 1])
  })

  const num = (min: number, max: number) => fc.double({ min, max, noNaN: true })
  const vec = (min: number, max: number) => fc.tuple(num(min, max), num(min, max), num(min, max))
  const transform = fc.record({
    anchor: vec(-500, 500),
    position: vec(-2000, 2000),
    scale: vec(10, 300),
    rotation: num(-720, 720),
    rotationX: num(-360, 360),
    rotationY: num(-360, 360),
    orientation: vec(0, 360),
  })
  const chainDocument = fc
    .array(fc.tuple(transform, fc.nat(), fc.boolean()), { minLength: 1, maxLength: 6 })
    .map((entries) =>
      documentWith(
        entries.map(([t, pick, threeD], i) => ({
          id: `L${i}`,
          kind: 'null',
          outPoint: 81,
          threeD,
          // Parents come from earlier layers only, so there is never a cycle.
          parentId: pick % (i + 1) === i ? null : `L${pick % (i + 1)}`,
          transform: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { value: v }])),
        })),
      ),
    )

  it('world matrix of a child equals parent world × child local', () => {
    fc.assert(
      fc.property(chainDocument, (doc) => {
        const state = evaluateComposition(doc, 'main', 0)
        for (const layer of state.layers) {
          const parent = state.layers.find((l) => l.id === layer.parentId)
          const expected = parent ? mat4.multiply(parent.worldMatrix, layer.localMatrix) : layer.localMatrix
          expectClose(layer.worldMatrix, expected, 1e-9)
          // Independently of matrix products: a point goes through the local, then the parent's world.
          if (parent) {
            const p = [3, -7, 11]
            expectClose(apply(layer.worldMatrix, p), apply(parent.worldMatrix, apply(layer.localMatrix, p)), 1e-7)
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
