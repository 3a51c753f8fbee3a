import { describe, expect, it } from 'vitest'
import { handleFromPoint, handlePoints, hasHandles, sampleFrames } from '../../../shared/editor/graph'
import { valueAt } from '../../../shared/engine'
import type { AnimatableProperty, Keyframe } from '../../../shared/project'

const key = (frame: number, value: number, extra: Partial<Keyframe<number>> = {}): Keyframe<number> => ({ id: `k${frame}`, frame, value, interpolation: 'bezier', ...extra })

describe('graph handles', () => {
  it('draws missing handles on the straight line (a linear segment)', () => {
    const { out, in: inn } = handlePoints(key(0, 0), key(30, 90))
    expect(out.frame).toBeCloseTo(10)
    expect(out.value).toBeCloseTo(30)
    expect(inn.frame).toBeCloseTo(20)
    expect(inn.value).toBeCloseTo(60)
  })

  it('round-trips a dragged point to a handle and back', () => {
    const a = key(10, 5)
    const b = key(50, -20)
    for (const point of [{ frame: 25, value: 40 }, { frame: 11, value: -3 }]) {
      a.outHandle = handleFromPoint('out', a, b, point)
      expect(handlePoints(a, b).out.frame).toBeCloseTo(point.frame)
      expect(handlePoints(a, b).out.value).toBeCloseTo(point.value)
      b.inHandle = handleFromPoint('in', a, b, point)
      expect(handlePoints(a, b).in.frame).toBeCloseTo(point.frame)
      expect(handlePoints(a, b).in.value).toBeCloseTo(point.value)
    }
  })

  it('gives handles the engine follows: a flat out-handle with full influence starts slow', () => {
    const a = key(0, 0)
    const b = key(20, 100)
    a.outHandle = handleFromPoint('out', a, b, { frame: 20, value: 0 })
    expect(a.outHandle).toEqual({ speed: 0, influence: 100 })
    const property: AnimatableProperty<number> = { value: 0, keyframes: [a, b] }
    expect(valueAt(property, 2)).toBeLessThan(3)
    expect(valueAt(property, 20)).toBe(100)
  })

  it('keeps influence within bounds when dragged past the segment', () => {
    const a = key(0, 0)
    const b = key(10, 10)
    expect(handleFromPoint('out', a, b, { frame: 50, value: 10 }).influence).toBe(100)
    expect(handleFromPoint('out', a, b, { frame: -5, value: 10 }).influence).toBeCloseTo(0.1)
    expect(hasHandles(a)).toBe(true)
    expect(hasHandles({ interpolation: 'bezier', easing: 'easeIn' })).toBe(false)
  })

  it('samples every frame, or evenly fewer', () => {
    expect(sampleFrames(5)).toEqual([0, 1, 2, 3, 4])
    const many = sampleFrames(100_000, 1000)
    expect(many.length).toBeLessThanOrEqual(1001)
    expect(many.at(-1)).toBe(99_999)
  })
})
