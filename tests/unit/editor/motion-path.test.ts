import { describe, expect, it } from 'vitest'
import {
  hasMotionPath, motionPathKeys, motionPathSamples, motionPathSegments, moveMotionPathKey, pullSpatialTangents, setSpatialTangent,
  spatialTangent,
} from '../../../shared/editor/ops'
import type { AnimatableProperty, Keyframe, Vec3 } from '../../../shared/project'

const key = (id: string, frame: number, value: Vec3, extra: Partial<Keyframe<Vec3>> = {}): Keyframe<Vec3> => ({
  id, frame, value, interpolation: 'linear', ...extra,
})

/** Right 200 px over frames 0–10, then down-right over 10–20. */
function position(): AnimatableProperty<Vec3> {
  return { value: [0, 0, 0], keyframes: [key('a', 0, [100, 100, 0]), key('b', 10, [300, 100, 0]), key('c', 20, [500, 260, 5])] }
}

/** Distance of `p` from the line through `a` and `b`, in x and y. */
function offLine(p: readonly number[], a: readonly number[], b: readonly number[]): number {
  const dx = b[0]! - a[0]!
  const dy = b[1]! - a[1]!
  return Math.abs(dx * (p[1]! - a[1]!) - dy * (p[0]! - a[0]!)) / Math.hypot(dx, dy)
}

describe('motion paths', () => {
  it('needs two keyframes', () => {
    const single: AnimatableProperty<Vec3> = { value: [0, 0, 0], keyframes: [key('a', 0, [1, 2, 0])] }
    expect(hasMotionPath(single)).toBe(false)
    expect(motionPathSamples(single)).toEqual([])
    expect(hasMotionPath(position())).toBe(true)
  })

  it('samples the position at every frame from the first keyframe to the last', () => {
    const samples = motionPathSamples(position())
    expect(samples.map((s) => s.frame)).toEqual(Array.from({ length: 21 }, (_, i) => i))
    expect(samples[0]!.point).toEqual([100, 100, 0])
    expect(samples[5]!.point).toEqual([200, 100, 0])
    expect(samples[10]!.point).toEqual([300, 100, 0])
    expect(samples[15]!.point[0]).toBeCloseTo(400, 6)
    expect(samples[15]!.point[1]).toBeCloseTo(180, 6)
    expect(samples[20]!.point).toEqual([500, 260, 5])
  })

  it('samples only whole frames when keyframes sit between frames', () => {
    const property: AnimatableProperty<Vec3> = { value: [0, 0, 0], keyframes: [key('a', 0.5, [0, 0, 0]), key('b', 3.5, [30, 0, 0])] }
    expect(motionPathSamples(property).map((s) => s.frame)).toEqual([1, 2, 3])
  })

  it('lists keyframes with handles only for tangents that bend a segment', () => {
    const property = position()
    expect(motionPathKeys(property).map((k) => [k.id, k.frame, k.point, k.inHandle, k.outHandle])).toEqual([
      ['a', 0, [100, 100, 0], null, null],
      ['b', 10, [300, 100, 0], null, null],
      ['c', 20, [500, 260, 5], null, null],
    ])
    for (const k of property.keyframes) Object.assign(k, { spatialIn: [-10, 5, 0], spatialOut: [10, -5, 0] })
    const keys = motionPathKeys(property)
    expect(keys[0]!.inHandle).toBeNull()
    expect(keys[0]!.outHandle).toEqual([110, 95, 0])
    expect(keys[1]!.inHandle).toEqual([290, 105, 0])
    expect(keys[1]!.outHandle).toEqual([310, 95, 0])
    expect(keys[2]!.inHandle).toEqual([490, 265, 5])
    expect(keys[2]!.outHandle).toBeNull()
  })

  it('gives each segment its bezier control points', () => {
    const property = position()
    property.keyframes[1]!.spatialIn = [-40, 30, 0]
    expect(motionPathSegments(property)).toEqual([
      { from: [100, 100, 0], fromControl: [100, 100, 0], toControl: [260, 130, 0], to: [300, 100, 0] },
      { from: [300, 100, 0], fromControl: [300, 100, 0], toControl: [500, 260, 5], to: [500, 260, 5] },
    ])
  })

  it('moves a keyframe in x and y and keeps its z', () => {
    const property = position()
    expect(moveMotionPathKey(property, 'c', [450, 200])).toBe(true)
    expect(property.keyframes[2]!.value).toEqual([450, 200, 5])
    expect(moveMotionPathKey(property, 'missing', [0, 0])).toBe(false)
  })

  it('mirrors the opposite tangent unless told not to', () => {
    const property = position()
    setSpatialTangent(property, 'b', 'out', [30, -20, 0], true)
    expect(property.keyframes[1]!.spatialOut).toEqual([30, -20, 0])
    expect(property.keyframes[1]!.spatialIn).toEqual([-30, 20, 0])
    setSpatialTangent(property, 'b', 'in', [-10, -10, 0], false)
    expect(property.keyframes[1]!.spatialIn).toEqual([-10, -10, 0])
    expect(property.keyframes[1]!.spatialOut).toEqual([30, -20, 0])
    // No negative zeros in the document.
    setSpatialTangent(property, 'a', 'in', [0, 4, 0], true)
    expect(Object.is(property.keyframes[0]!.spatialOut![0], 0)).toBe(true)
  })

  it('pulls tangents out of a straight path so the layer follows a curve', () => {
    const property = position()
    const straight = motionPathSamples(property)
    expect(offLine(straight[5]!.point, [100, 100], [300, 100])).toBeLessThan(1e-9)
    pullSpatialTangents(property, 'b', [80, -60, 0])
    expect(spatialTangent(property.keyframes[1]!, 'out')).toEqual([80, -60, 0])
    expect(spatialTangent(property.keyframes[1]!, 'in')).toEqual([-80, 60, 0])
    expect(spatialTangent(property.keyframes[0]!, 'in')).toEqual([0, 0, 0])
    const curved = motionPathSamples(property)
    // The in-tangent points back and down, so the first segment sags below its chord.
    expect(curved[5]!.point[1] - 100).toBeGreaterThan(10)
    // The ends stay put.
    expect(curved[0]!.point).toEqual([100, 100, 0])
    expect(curved[10]!.point).toEqual([300, 100, 0])
  })
})
