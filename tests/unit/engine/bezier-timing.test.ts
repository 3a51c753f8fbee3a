import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cubicBezierTiming, evaluateTimingCurve, solveCurveParameter, temporalCurve, temporalDistance } from '../../../shared/engine'

const cubic = (p1: number, p2: number, s: number) => 3 * (1 - s) ** 2 * s * p1 + 3 * (1 - s) * s * s * p2 + s ** 3

describe('temporal bezier', () => {
  it('maps After Effects speed and influence to control points in the value graph', () => {
    // 20 frames, distance 100; out: 7 units/frame over 40 %, in: 2 units/frame over 25 %.
    const curve = temporalCurve({ speed: 7, influence: 40 }, { speed: 2, influence: 25 }, 20, 100)
    expect(curve).toEqual({ x1: 0.4, y1: 7 * 0.4 * 20, x2: 0.75, y2: 100 - 2 * 0.25 * 20, distance: 100 })
  })

  it('leaves and reaches keyframes at the handles’ speeds (value units per frame)', () => {
    const duration = 20
    const curve = temporalCurve({ speed: 7, influence: 40 }, { speed: 2, influence: 25 }, duration, 100)
    const du = 1e-6
    const startSpeed = temporalDistance(curve, du) / (du * duration)
    const endSpeed = (100 - temporalDistance(curve, 1 - du)) / (du * duration)
    expect(startSpeed).toBeCloseTo(7, 3)
    expect(endSpeed).toBeCloseTo(2, 3)
  })

  it('is a straight line when both handles are missing', () => {
    const curve = temporalCurve(undefined, undefined, 10, 50)
    for (const u of [0, 0.1, 0.25, 0.5, 0.9, 1]) expect(temporalDistance(curve, u)).toBeCloseTo(50 * u, 10)
  })

  it('hand-computed point: out-handle 0 speed / 50 %, default in-handle', () => {
    // x1 = .5, y1 = 0, x2 = 2/3, y2 = 2D/3. At s = .5: x = .5625, y = .375 D.
    const curve = temporalCurve({ speed: 0, influence: 50 }, undefined, 12, 80)
    expect(temporalDistance(curve, 0.5625)).toBeCloseTo(0.375 * 80, 9)
  })

  it('Easy Ease (0 speed, 33.33 % both sides) is symmetric and slow at both ends', () => {
    const curve = temporalCurve({ speed: 0, influence: 33.33 }, { speed: 0, influence: 33.33 }, 30, 1)
    expect(temporalDistance(curve, 0.5)).toBeCloseTo(0.5, 12)
    expect(temporalDistance(curve, 0.1)).toBeLessThan(0.1)
    expect(temporalDistance(curve, 0.1) + temporalDistance(curve, 0.9)).toBeCloseTo(1, 12)
  })

  it('solves x(s) = x even where the slope vanishes (influences of 100 %)', () => {
    // x1 = 1, x2 = 0: x'(.5) = 0, so Newton alone stalls at the midpoint.
    for (const x of [0.25, 0.5, 0.5 + 1e-9, 0.75]) {
      expect(cubic(1, 0, solveCurveParameter(1, 0, x))).toBeCloseTo(x, 12)
    }
    expect(evaluateTimingCurve(1, 0, 0, 1, 1, 0.5)).toBeCloseTo(0.5, 9)
  })

  it('CSS ease (.25, .1, .25, 1) at 0.5 is 0.8024', () => {
    expect(cubicBezierTiming(0.25, 0.1, 0.25, 1)(0.5)).toBeCloseTo(0.8024033877399112, 6)
  })

  const influence = fc.double({ min: 0, max: 1, noNaN: true })
  const time = fc.double({ min: 0, max: 1, noNaN: true })

  it('solutions are accurate and monotonic in time for every pair of influences', () => {
    fc.assert(
      fc.property(influence, influence, time, time, (x1, x2, a, b) => {
        const [u1, u2] = a <= b ? [a, b] : [b, a]
        const s1 = solveCurveParameter(x1, x2, u1)
        const s2 = solveCurveParameter(x1, x2, u2)
        expect(s1).toBeGreaterThanOrEqual(0)
        expect(s2).toBeLessThanOrEqual(1)
        expect(s1).toBeLessThanOrEqual(s2)
        expect(Math.abs(cubic(x1, x2, s1) - u1)).toBeLessThan(1e-9)
        expect(Math.abs(cubic(x1, x2, s2) - u2)).toBeLessThan(1e-9)
      }),
      { numRuns: 3000 },
    )
  })

  it('distance runs from 0 to the segment distance and is continuous in time', () => {
    const handle = fc.record({ speed: fc.double({ min: -100, max: 100, noNaN: true }), influence: fc.double({ min: 0.1, max: 100, noNaN: true }) })
    fc.assert(
      fc.property(handle, handle, fc.double({ min: 1, max: 100, noNaN: true }), fc.double({ min: -1000, max: 1000, noNaN: true }), time, (out, inn, duration, distance, u) => {
        const curve = temporalCurve(out, inn, duration, distance)
        expect(temporalDistance(curve, 0)).toBe(0)
        expect(temporalDistance(curve, 1)).toBe(distance)
        const h = 1e-7
        const scale = Math.abs(distance) + (Math.abs(out.speed) + Math.abs(inn.speed)) * duration + 1
        expect(Math.abs(temporalDistance(curve, Math.min(1, u + h)) - temporalDistance(curve, u))).toBeLessThan(scale * 1e-4)
      }),
      { numRuns: 2000 },
    )
  })
})
