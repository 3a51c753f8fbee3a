import type { BezierHandle } from '../project/properties'

/**
 * Cubic bezier timing curves. A curve runs from (0, 0) to (1, y3) through the control points
 * (x1, y1) and (x2, y2); x is normalised segment time, y is how far the value has moved.
 */

/** Bernstein form of a cubic with end points 0 and p3 and inner control points p1, p2. */
function cubic(p1: number, p2: number, p3: number, s: number): number {
  const r = 1 - s
  return 3 * r * r * s * p1 + 3 * r * s * s * p2 + s * s * s * p3
}

function cubicSlope(p1: number, p2: number, p3: number, s: number): number {
  const r = 1 - s
  return 3 * r * r * p1 + 6 * r * s * (p2 - p1) + 3 * s * s * (p3 - p2)
}

/**
 * The curve parameter s in [0, 1] where x(s) = x, for x1, x2 in [0, 1]. Such an x(s) never
 * decreases (its derivative's Bernstein coefficients 3·x1, 3·(x2 − x1), 3·(1 − x2) satisfy
 * (x1 − x2)² ≤ x1·(1 − x2)), so the root is unique up to flat stretches. Newton's method
 * converges in a few steps on ordinary curves; where the slope vanishes (influences of 100 %)
 * or a step leaves the bracket, bisection on the maintained bracket finishes the job.
 */
export function solveCurveParameter(x1: number, x2: number, x: number): number {
  if (!(x > 0)) return 0
  if (x >= 1) return 1
  let lo = 0
  let hi = 1
  let s = x
  for (let i = 0; i < 8; i++) {
    const err = cubic(x1, x2, 1, s) - x
    if (Math.abs(err) < 1e-12) return s
    if (err > 0) hi = s
    else lo = s
    const slope = cubicSlope(x1, x2, 1, s)
    if (!(Math.abs(slope) > 1e-9)) break
    const next = s - err / slope
    if (!(next > lo && next < hi)) break
    s = next
  }
  // Bisection: x(lo) < x < x(hi) holds for the bracket kept above.
  for (let i = 0; i < 64 && hi - lo > 1e-15; i++) {
    const mid = (lo + hi) / 2
    if (cubic(x1, x2, 1, mid) < x) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/** y at normalised time x of the curve (0,0) (x1,y1) (x2,y2) (1,y3). */
export function evaluateTimingCurve(x1: number, y1: number, x2: number, y2: number, y3: number, x: number): number {
  if (!(x > 0)) return 0
  if (x >= 1) return y3
  return cubic(y1, y2, y3, solveCurveParameter(x1, x2, x))
}

/** A CSS-style `cubic-bezier(x1, y1, x2, y2)` timing function (x1 and x2 are clamped to [0, 1]). */
export function cubicBezierTiming(x1: number, y1: number, x2: number, y2: number): (t: number) => number {
  const cx1 = Math.min(1, Math.max(0, x1))
  const cx2 = Math.min(1, Math.max(0, x2))
  return (t) => evaluateTimingCurve(cx1, y1, cx2, y2, 1, t)
}

/** The control points of one segment's temporal curve, in (normalised time, distance) units. */
export interface TemporalCurve {
  x1: number
  y1: number
  x2: number
  y2: number
  /** Total distance of the segment (y at x = 1). */
  distance: number
}

/** Influence of a side without a handle: a third, with the segment's average speed, gives a straight line. */
export const DEFAULT_INFLUENCE = 100 / 3

/**
 * After Effects temporal ease → cubic bezier, in the value graph: the out-handle of keyframe A
 * leaves A with slope `speed` (distance units per frame) and reaches `influence` % of the
 * segment's duration; the in-handle of B arrives at B the same way. So with T the segment's
 * duration in frames and D its distance, the control points are
 *   (inflOut, speedOut · inflOut · T)  and  (1 − inflIn, D − speedIn · inflIn · T).
 * A missing handle means "no ease": the average speed D / T with a third of influence, so two
 * missing handles make the segment exactly linear.
 */
export function temporalCurve(
  outHandle: BezierHandle | undefined,
  inHandle: BezierHandle | undefined,
  duration: number,
  distance: number,
): TemporalCurve {
  const average = duration > 0 ? distance / duration : 0
  const inflOut = clampInfluence(outHandle?.influence ?? DEFAULT_INFLUENCE) / 100
  const inflIn = clampInfluence(inHandle?.influence ?? DEFAULT_INFLUENCE) / 100
  const speedOut = outHandle?.speed ?? average
  const speedIn = inHandle?.speed ?? average
  return {
    x1: inflOut,
    y1: speedOut * inflOut * duration,
    x2: 1 - inflIn,
    y2: distance - speedIn * inflIn * duration,
    distance,
  }
}

function clampInfluence(influence: number): number {
  return Number.isFinite(influence) ? Math.min(100, Math.max(0, influence)) : DEFAULT_INFLUENCE
}

/** Distance travelled at normalised time u (0..1) of the segment. */
export function temporalDistance(curve: TemporalCurve, u: number): number {
  return evaluateTimingCurve(curve.x1, curve.y1, curve.x2, curve.y2, curve.distance, u)
}
