import { describe, expect, it } from 'vitest'
import {
  appendVertex, closePath, deleteVertices, ellipsePath, insertVertex, moveVertices, nearestOnPath, rectanglePath, segmentControls, segmentCount,
  setTangent, setValueAtFrame, splitSegment, toggleAnimation,
} from '../../../shared/editor/ops'
import { valueAt } from '../../../shared/engine'
import type { AnimatableProperty, BezierPath } from '../../../shared/project'

function pointOn(path: BezierPath, segment: number, t: number): [number, number] {
  const [p0, p1, p2, p3] = segmentControls(path, segment)
  const u = 1 - t
  const at = (k: 0 | 1) => u * u * u * p0[k] + 3 * u * u * t * p1[k] + 3 * u * t * t * p2[k] + t * t * t * p3[k]
  return [at(0), at(1)]
}

/** Points along the whole outline, for comparing two paths' shapes. */
function outlineSamples(path: BezierPath, perSegment = 16): [number, number][] {
  const points: [number, number][] = []
  for (let s = 0; s < segmentCount(path); s++) for (let k = 0; k < perSegment; k++) points.push(pointOn(path, s, k / perSegment))
  return points
}

/** Largest distance from any sample of `a` to the nearest point of `b`. */
function farthest(a: BezierPath, b: BezierPath): number {
  return Math.max(...outlineSamples(a).map((p) => nearestOnPath(b, p)!.distance))
}

const property = (path: BezierPath): AnimatableProperty<BezierPath> => ({ value: path, keyframes: [] })

describe('mask path editing', () => {
  it('counts a closing segment only for closed paths', () => {
    const open = { closed: false, vertices: rectanglePath({ x: 0, y: 0, width: 10, height: 10 }).vertices }
    expect(segmentCount(open)).toBe(3)
    expect(segmentCount(closePath(open))).toBe(4)
    expect(segmentCount({ closed: true, vertices: open.vertices.slice(0, 1) })).toBe(0)
  })

  it('finds the nearest point on a curved outline', () => {
    const circle = ellipsePath({ x: 0, y: 0, width: 200, height: 200 })
    const hit = nearestOnPath(circle, [100 + 150, 100])!
    expect(hit.point[0]).toBeCloseTo(200, 1)
    expect(hit.point[1]).toBeCloseTo(100, 1)
    expect(hit.distance).toBeCloseTo(50, 1)
    const inside = nearestOnPath(circle, [100 + 70 * Math.SQRT1_2, 100 + 70 * Math.SQRT1_2])!
    expect(inside.distance).toBeCloseTo(30, 0)
  })

  it('splits a segment without changing the shape', () => {
    const circle = ellipsePath({ x: 10, y: 20, width: 300, height: 160 })
    for (const t of [0.25, 0.5, 0.8]) {
      const { path, index } = splitSegment(circle, 1, t)
      expect(index).toBe(2)
      expect(path.vertices).toHaveLength(5)
      expect(path.vertices[2]!.point[0]).toBeCloseTo(pointOn(circle, 1, t)[0], 6)
      expect(farthest(path, circle)).toBeLessThan(0.05)
      expect(farthest(circle, path)).toBeLessThan(0.05)
    }
    // The closing segment (last vertex back to the first) inserts at the end.
    const { path, index } = splitSegment(circle, 3, 0.5)
    expect(index).toBe(4)
    expect(farthest(path, circle)).toBeLessThan(0.05)
  })

  it('inserts into every keyframe so an animated path keeps interpolating', () => {
    const small = rectanglePath({ x: 0, y: 0, width: 100, height: 100 })
    const large = rectanglePath({ x: 0, y: 0, width: 300, height: 200 })
    const mask = property(small)
    toggleAnimation(mask, 0)
    setValueAtFrame(mask, 10, large)
    const index = insertVertex(mask, 0, 0.5)
    expect(index).toBe(1)
    expect(mask.keyframes.map((k) => k.value.vertices.length)).toEqual([5, 5])
    expect(mask.value.vertices).toHaveLength(5)
    expect(mask.keyframes[0]!.value.vertices[1]!.point).toEqual([50, 0])
    expect(mask.keyframes[1]!.value.vertices[1]!.point).toEqual([150, 0])
    // Halfway, the new vertex sits halfway between its two keyframed places.
    const middle = valueAt(mask, 5) as BezierPath
    expect(middle.vertices).toHaveLength(5)
    expect(middle.vertices[1]!.point).toEqual([100, 0])
  })

  it('refuses to insert when keyframes disagree on the vertex count', () => {
    const mask = property(rectanglePath({ x: 0, y: 0, width: 10, height: 10 }))
    toggleAnimation(mask, 0)
    setValueAtFrame(mask, 5, ellipsePath({ x: 0, y: 0, width: 10, height: 10 }))
    mask.keyframes[1]!.value.vertices.pop()
    expect(insertVertex(mask, 0, 0.5)).toBe(-1)
    expect(mask.keyframes[0]!.value.vertices).toHaveLength(4)
  })

  it('deletes vertices from the value and every keyframe', () => {
    const mask = property(rectanglePath({ x: 0, y: 0, width: 100, height: 100 }))
    toggleAnimation(mask, 0)
    setValueAtFrame(mask, 8, rectanglePath({ x: 10, y: 10, width: 50, height: 50 }))
    expect(deleteVertices(mask, new Set([1, 3]))).toBe(2)
    expect(mask.keyframes[0]!.value.vertices.map((v) => v.point)).toEqual([[0, 0], [100, 100]])
    expect(mask.keyframes[1]!.value.vertices.map((v) => v.point)).toEqual([[10, 10], [60, 60]])
  })

  it('moves selected vertices with their tangents and leaves the rest', () => {
    const circle = ellipsePath({ x: 0, y: 0, width: 100, height: 100 })
    const moved = moveVertices(circle, new Set([0, 2]), [5, -3])
    expect(moved.vertices[0]!.point).toEqual([55, -3])
    expect(moved.vertices[0]!.outTangent).toEqual(circle.vertices[0]!.outTangent)
    expect(moved.vertices[1]).toEqual(circle.vertices[1])
    expect(moved.vertices[2]!.point).toEqual([55, 97])
    expect(circle.vertices[0]!.point).toEqual([50, 0])
  })

  it('mirrors the opposite tangent unless told not to', () => {
    const path = appendVertex({ closed: false, vertices: [] }, [10, 10])
    const smooth = setTangent(path, 0, 'out', [20, 5], true)
    expect(smooth.vertices[0]!.inTangent).toEqual([-20, -5])
    const corner = setTangent(smooth, 0, 'in', [0, 30], false)
    expect(corner.vertices[0]!.inTangent).toEqual([0, 30])
    expect(corner.vertices[0]!.outTangent).toEqual([20, 5])
  })

  it('builds an open path vertex by vertex and closes it', () => {
    let path: BezierPath = { closed: false, vertices: [] }
    for (const p of [[0, 0], [50, 0], [50, 40]] as [number, number][]) path = appendVertex(path, p)
    expect(path.closed).toBe(false)
    expect(segmentCount(path)).toBe(2)
    const closed = closePath(path)
    expect(closed.closed).toBe(true)
    expect(closed.vertices.map((v) => v.point)).toEqual([[0, 0], [50, 0], [50, 40]])
  })
})
