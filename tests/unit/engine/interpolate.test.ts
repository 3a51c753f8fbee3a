import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EASINGS, INTERPOLATIONS, type BezierPath, type Keyframe, type Vec3, animatable } from '../../../shared/project'
import { ease, mixColors, spatialSegment, valueAt } from '../../../shared/engine'
import { animated, expectClose, key } from './helpers'
import { z } from 'zod'

describe('valueAt', () => {
  it('returns the static value when there are no keyframes', () => {
    expect(valueAt({ value: 42, keyframes: [] }, 17)).toBe(42)
  })

  it('holds the first and last keyframe values outside the keyframes', () => {
    const prop = animated([key(10, 1), key(20, 3)], 99)
    expect(valueAt(prop, 0)).toBe(1)
    expect(valueAt(prop, -5)).toBe(1)
    expect(valueAt(prop, 25)).toBe(3)
    expect(valueAt(prop, 1e9)).toBe(3)
  })

  it('interpolates linearly: midpoint and quarter point', () => {
    const prop = animated([key(10, 100), key(20, 300)])
    expect(valueAt(prop, 15)).toBe(200)
    expect(valueAt(prop, 12.5)).toBe(150)
  })

  it('holds until the next keyframe, then jumps', () => {
    const prop = animated([key(0, 5, { interpolation: 'hold' }), key(10, 8)])
    expect(valueAt(prop, 9.999)).toBe(5)
    expect(valueAt(prop, 10)).toBe(8)
  })

  it('lets the outgoing keyframe govern the segment', () => {
    const prop = animated([key(0, 0), key(10, 10, { interpolation: 'hold' }), key(20, 20)])
    expect(valueAt(prop, 5)).toBe(5)
    expect(valueAt(prop, 15)).toBe(10)
  })

  it('applies the outgoing keyframe’s easing (the original camera export ignored it)', () => {
    const prop = animated([key(0, 0, { easing: 'quadIn' }), key(10, 100)])
    expect(valueAt(prop, 5)).toBe(25)
    const cubic = animated([key(0, 0, { interpolation: 'bezier', easing: 'cubicOut', outHandle: { speed: 0, influence: 90 } }), key(10, 100)])
    expect(valueAt(cubic, 5)).toBeCloseTo(87.5, 12)
  })

  it('follows bezier handles in value units per frame', () => {
    const prop = animated([
      key(0, 0, { interpolation: 'bezier', outHandle: { speed: 0, influence: 50 } }),
      key(12, 80),
    ])
    // See bezier-timing.test.ts: at u = .5625, 37.5 % of the distance.
    expect(valueAt(prop, 0.5625 * 12)).toBeCloseTo(30, 9)
    // Bezier keyframe without handles behaves linearly.
    expect(valueAt(animated([key(0, 0, { interpolation: 'bezier' }), key(10, 10)]), 3)).toBeCloseTo(3, 12)
  })

  it('bulges between equal numbers when the handles have speed, as in After Effects', () => {
    const prop = animated([
      key(0, 10, { interpolation: 'bezier', outHandle: { speed: 4, influence: 50 } }),
      key(10, 10, { inHandle: { speed: -4, influence: 50 } }),
    ])
    // y1 = 4·.5·10 = 20, y2 = 0 − (−4)·.5·10 = 20: symmetric, at s = .5: x = .5, y = .75·20 = 15.
    expect(valueAt(prop, 5)).toBeCloseTo(25, 9)
  })

  it('interpolates vectors componentwise along the straight line', () => {
    const prop = animated<Vec3>([key(0, [0, 0, 0]), key(4, [40, -8, 4])])
    expect(valueAt(prop, 1)).toEqual([10, -2, 1])
  })

  it('eases vectors by distance: a vector bezier speed is along the line', () => {
    const prop = animated<Vec3>([
      key(0, [0, 0, 0], { interpolation: 'bezier', outHandle: { speed: 0, influence: 50 } }),
      key(12, [48, 64, 0]),
    ])
    // Length 80; 37.5 % of it is 30, i.e. (18, 24, 0).
    expectClose(valueAt(prop, 0.5625 * 12), [18, 24, 0])
  })

  it('follows the spatial bezier (motion path) of position, at constant speed on linear keyframes', () => {
    // A quarter-circle-like arc from (0,0) to (100,100) bulging towards (100, 0).
    const prop = animated<Vec3>([
      key(0, [0, 0, 0], { spatialOut: [55, 0, 0] }),
      key(10, [100, 100, 0], { spatialIn: [0, -55, 0] }),
    ])
    const mid = valueAt(prop, 5, { spatial: true })
    // Symmetric curve: its arc-length midpoint is its parameter midpoint, ⅛·p0 + ⅜·p1 + ⅜·p2 + ⅛·p3.
    expectClose(mid, [0.375 * 55 + 0.375 * 100 + 0.125 * 100, 0.375 * 45 + 0.125 * 100, 0], 1e-3)
    // Not the straight line.
    expect(valueAt(prop, 5)).toEqual([50, 50, 0])
    // Equal steps in time cover equal lengths along the path: measure the path walked up to each
    // frame as a fine polyline (200 steps per frame).
    const length = spatialSegment([0, 0, 0], [100, 100, 0], [55, 0, 0], [0, -55, 0]).length
    let walked = 0
    let previous = valueAt(prop, 0, { spatial: true })
    for (let step = 1; step <= 2000; step++) {
      const point = valueAt(prop, step / 200, { spatial: true })
      walked += Math.hypot(point[0] - previous[0], point[1] - previous[1])
      previous = point
      if (step % 200 === 0) expect(walked).toBeCloseTo((length * step) / 2000, 3)
    }
  })

  it('measures motion paths by their true arc length, also when the path doubles back', () => {
    // Straight path with tangents along it: length = chord.
    expect(spatialSegment([0, 0, 0], [30, 40, 0], [3, 4, 0], [-6, -8, 0]).length).toBeCloseTo(50, 9)
    // x(s) = 600·s(1−s) + 100·s³ runs out to its maximum at s = 2 − √2 and back to 100.
    const path = spatialSegment([0, 0, 0], [100, 0, 0], [200, 0, 0], [100, 0, 0])
    const s = 2 - Math.SQRT2
    const xMax = 600 * s * (1 - s) + 100 * s ** 3
    expect(path.length).toBeCloseTo(2 * xMax - 100, 3)
    expectClose(path.pointAt(xMax), [xMax, 0, 0], 1e-5)
    expectClose(path.pointAt(xMax + 10), [xMax - 10, 0, 0], 1e-5)
    // Beyond the ends it continues along the end tangents.
    expectClose(path.pointAt(-5), [-5, 0, 0], 1e-12)
    expectClose(path.pointAt(path.length + 5), [95, 0, 0], 1e-12)
  })

  it('mixes colours in linear light, keeping alpha when either end has it', () => {
    const prop = animated([key(0, '#ff0000'), key(10, '#00ff00')])
    // Half of linear 1.0 is 0.5, which is sRGB 0.7354 → 188 (0xbc); straight sRGB mixing would give 0x80.
    expect(valueAt(prop, 5)).toBe('#bcbc00')
    expect(mixColors('#00000000', '#ffffffff', 0.5)).toBe('#bcbcbc80')
    expect(valueAt(prop, 0)).toBe('#ff0000')
    expect(valueAt(prop, 10)).toBe('#00ff00')
  })

  it('interpolates mask paths vertex by vertex, and holds when the vertex counts differ', () => {
    const a: BezierPath = { closed: true, vertices: [{ point: [0, 0], inTangent: [0, 0], outTangent: [10, 0] }] }
    const b: BezierPath = { closed: true, vertices: [{ point: [100, 50], inTangent: [0, -10], outTangent: [0, 0] }] }
    const prop = animated([key(0, a), key(10, b)])
    expect(valueAt(prop, 5)).toEqual({ closed: true, vertices: [{ point: [50, 25], inTangent: [0, -5], outTangent: [5, 0] }] })
    const c: BezierPath = { closed: true, vertices: [...b.vertices, ...b.vertices] }
    expect(valueAt(animated([key(0, a), key(10, c)]), 5)).toEqual(a)
  })

  it('holds values that cannot be interpolated (strings, booleans)', () => {
    expect(valueAt(animated<string | boolean>([key(0, 'both'), key(10, 'horizontal')]), 9)).toBe('both')
    expect(valueAt(animated<string | boolean>([key(0, false), key(10, true)]), 9)).toBe(false)
  })
})

// ---- properties --------------------------------------------------------------------------

const handle = fc.record({
  speed: fc.double({ min: -50, max: 50, noNaN: true }),
  influence: fc.double({ min: 0, max: 100, noNaN: true }),
})

function keyframesOf<T>(value: fc.Arbitrary<T>, spatial = false) {
  const tangent = fc.tuple(...[0, 1, 2].map(() => fc.double({ min: -200, max: 200, noNaN: true }))) as fc.Arbitrary<Vec3>
  return fc
    .uniqueArray(
      fc.record(
        {
          frame: fc.integer({ min: 0, max: 500 }),
          value,
          interpolation: fc.constantFrom(...INTERPOLATIONS),
          easing: fc.constantFrom(...EASINGS),
          inHandle: handle,
          outHandle: handle,
          ...(spatial ? { spatialIn: tangent, spatialOut: tangent } : {}),
        },
        { requiredKeys: ['frame', 'value', 'interpolation'] },
      ),
      { selector: (k) => k.frame, minLength: 1, maxLength: 6 },
    )
    .map((ks) => ks.sort((a, b) => a.frame - b.frame).map((k, i) => ({ id: `k${i}`, ...k }) as Keyframe<T>))
}

const number = fc.double({ min: -1000, max: 1000, noNaN: true })
const vector = fc.tuple(number, number, number)

/** Every generated property is also a valid document property. */
const numberProperty = z.object({ p: animatable(z.number()) })

describe('valueAt properties', () => {
  it('hits every keyframe value exactly at its frame (numbers)', () => {
    fc.assert(
      fc.property(keyframesOf(number), (keyframes) => {
        const prop = numberProperty.parse({ p: { value: 0, keyframes } }).p
        for (const k of keyframes) expect(valueAt(prop, k.frame)).toBe(k.value)
      }),
      { numRuns: 500 },
    )
  })

  it('hits every keyframe value exactly at its frame (positions with motion paths)', () => {
    fc.assert(
      fc.property(keyframesOf(vector, true), (keyframes) => {
        const prop = { value: [0, 0, 0] as Vec3, keyframes }
        for (const k of keyframes) expect(valueAt(prop, k.frame, { spatial: true })).toEqual(k.value)
      }),
      { numRuns: 300 },
    )
  })

  /** How far a segment's value may move in `h` frames: generous bound from its values and speeds. */
  function scaleOf(a: Keyframe<unknown>, b: Keyframe<unknown>, size: number): number {
    const speeds = Math.abs(a.outHandle?.speed ?? 0) + Math.abs(b.inHandle?.speed ?? 0)
    return size + speeds * (b.frame - a.frame) + 1
  }

  it('is continuous everywhere except where a hold segment ends (numbers)', () => {
    fc.assert(
      fc.property(keyframesOf(number), fc.double({ min: -10, max: 510, noNaN: true }), (keyframes, frame) => {
        const prop = { value: 0, keyframes }
        const h = 1e-6
        const segmentAt = (f: number) => {
          const i = keyframes.findIndex((k, j) => k.frame <= f && (keyframes[j + 1]?.frame ?? Infinity) > f)
          return [keyframes[i], keyframes[i + 1]] as const
        }
        const [a, b] = segmentAt(frame)
        // A hold segment jumps at its end: skip samples straddling that.
        if (a && b && a.interpolation === 'hold' && frame + h >= b.frame) return
        const sizeOf = ([c, d]: ReturnType<typeof segmentAt>) => (c && d ? scaleOf(c, d, Math.abs(c.value) + Math.abs(d.value)) : 1)
        const size = Math.max(sizeOf([a, b]), sizeOf(segmentAt(frame + h)))
        // Easing curves are at most ~40× steeper than linear; bezier ones are bounded by size.
        expect(Math.abs(valueAt(prop, frame + h) - valueAt(prop, frame))).toBeLessThan(size * 40 * h + 1e-9)
      }),
      { numRuns: 3000 },
    )
  })

  it('approaches the next keyframe value from the left on non-hold segments (positions)', () => {
    fc.assert(
      fc.property(keyframesOf(vector, true), (keyframes) => {
        const prop = { value: [0, 0, 0] as Vec3, keyframes }
        keyframes.slice(0, -1).forEach((a, i) => {
          const b = keyframes[i + 1]!
          if (a.interpolation === 'hold') return
          const left = valueAt(prop, b.frame - 1e-7, { spatial: true })
          const size = scaleOf(a, b, 3000 + 600)
          const distance = Math.hypot(...left.map((v, c) => v - b.value[c]!))
          expect(distance).toBeLessThan(size * 40 * 1e-7)
        })
      }),
      { numRuns: 300 },
    )
  })

  it('linear segments are monotonic between their keyframes and eased ones match the easing', () => {
    fc.assert(
      fc.property(number, number, fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...EASINGS), (a, b, length, u, name) => {
        const linear = animated([key(0, a), key(length, b)])
        const v = valueAt(linear, u * length)
        expect(v).toBeGreaterThanOrEqual(Math.min(a, b) - 1e-9)
        expect(v).toBeLessThanOrEqual(Math.max(a, b) + 1e-9)
        const eased = animated([key(0, a, { easing: name }), key(length, b)])
        expect(valueAt(eased, u * length)).toBeCloseTo(a + (b - a) * ease(name, (u * length) / length), 6)
      }),
      { numRuns: 1000 },
    )
  })
})
