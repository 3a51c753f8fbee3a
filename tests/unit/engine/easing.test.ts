import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EASINGS } from '../../../shared/project'
import { EASING_NAMES, ease } from '../../../shared/engine'

describe('easings', () => {
  it('cover exactly the names the schema allows, plus linear', () => {
    expect([...EASING_NAMES].sort()).toEqual(['linear', ...EASINGS].sort())
  })

  it('have the textbook values at known points', () => {
    expect(ease('linear', 0.3)).toBe(0.3)
    expect(ease('quadIn', 0.5)).toBe(0.25)
    expect(ease('quadOut', 0.5)).toBe(0.75)
    expect(ease('cubicIn', 0.5)).toBe(0.125)
    expect(ease('cubicOut', 0.5)).toBe(0.875)
    expect(ease('quadInOut', 0.25)).toBe(0.125)
    expect(ease('cubicInOut', 0.75)).toBe(0.9375)
    expect(ease('sineIn', 0.5)).toBeCloseTo(1 - Math.SQRT1_2, 12)
    expect(ease('sineOut', 0.5)).toBeCloseTo(Math.SQRT1_2, 12)
    expect(ease('sineInOut', 0.5)).toBeCloseTo(0.5, 12)
    expect(ease('bounceOut', 0.5)).toBe(0.765625)
    expect(ease('bounceIn', 0.5)).toBe(0.234375)
    // back overshoots: c3·t³ − c1·t² at 0.5 with c1 = 1.70158.
    expect(ease('backIn', 0.5)).toBeCloseTo(2.70158 / 8 - 1.70158 / 4, 12)
    expect(ease('backOut', 0.5)).toBeCloseTo(1 - (2.70158 / 8 - 1.70158 / 4), 12)
    // expo is rescaled to reach 0 exactly: (2^-5 − 2^-10) / (1 − 2^-10).
    expect(ease('expoIn', 0.5)).toBeCloseTo((2 ** -5 - 2 ** -10) / (1 - 2 ** -10), 12)
    expect(ease('elasticOut', 0.5)).toBeGreaterThan(1)
    // CSS ease-in / ease-out at half time (cubic-bezier(.42,0,1,1)): 0.3153568…
    expect(ease('easeIn', 0.5)).toBeCloseTo(0.3153568, 6)
    expect(ease('easeOut', 0.5)).toBeCloseTo(1 - 0.3153568, 6)
    expect(ease('easeInOut', 0.5)).toBeCloseTo(0.5, 9)
  })

  it('start at exactly 0 and end at exactly 1, and clamp outside [0, 1]', () => {
    for (const name of EASING_NAMES) {
      expect(ease(name, 0), name).toBe(0)
      expect(ease(name, 1), name).toBe(1)
      expect(ease(name, -0.5), name).toBe(0)
      expect(ease(name, 2), name).toBe(1)
    }
  })

  it('are continuous, including next to both ends', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EASING_NAMES), fc.double({ min: 0, max: 1, noNaN: true }), (name, t) => {
        const h = 1e-7
        const next = Math.min(1, t + h)
        // The steepest curves (elastic, expo) change by at most ~30 per unit of t.
        expect(Math.abs(ease(name, next) - ease(name, t))).toBeLessThan(40 * h + 1e-12)
      }),
      { numRuns: 2000 },
    )
  })

  it('ease-in curves are below the diagonal early and ease-out ones above it', () => {
    for (const family of ['sine', 'quad', 'cubic', 'expo', 'ease']) {
      expect(ease(`${family}In` as never, 0.25), family).toBeLessThan(0.25)
      expect(ease(`${family}Out` as never, 0.25), family).toBeGreaterThan(0.25)
      expect(ease(`${family}InOut` as never, 0.25), family).toBeLessThan(0.25)
      expect(ease(`${family}InOut` as never, 0.75), family).toBeGreaterThan(0.75)
    }
  })
})
