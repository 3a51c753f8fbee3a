/**
 * A spatial bezier segment of a motion path (After Effects position keyframes): from `a` to `b`
 * with the tangents `a + outTangent` and `b + inTangent`, walked by arc length so the speed
 * along the path is exactly what the temporal curve says.
 */

type Vec = readonly number[]

const SAMPLES = 64

export interface SpatialSegment {
  /** Path length. */
  length: number
  /** The point `distance` along the path; beyond either end, continues along the end tangent. */
  pointAt(distance: number): number[]
}

function bezierPoint(p0: Vec, p1: Vec, p2: Vec, p3: Vec, s: number): number[] {
  const r = 1 - s
  return p0.map((v, i) => r * r * r * v + 3 * r * r * s * (p1[i] ?? 0) + 3 * r * s * s * (p2[i] ?? 0) + s * s * s * (p3[i] ?? 0))
}

function bezierDerivative(p0: Vec, p1: Vec, p2: Vec, p3: Vec, s: number): number[] {
  const r = 1 - s
  return p0.map(
    (v, i) =>
      3 * r * r * ((p1[i] ?? 0) - v) + 6 * r * s * ((p2[i] ?? 0) - (p1[i] ?? 0)) + 3 * s * s * ((p3[i] ?? 0) - (p2[i] ?? 0)),
  )
}

const norm = (v: Vec) => Math.hypot(...v)

/** Unit direction of the first non-degenerate candidate, or zeros. */
function direction(...candidates: Vec[]): number[] {
  for (const c of candidates) {
    const l = norm(c)
    if (l > 1e-12) return c.map((v) => v / l)
  }
  return (candidates[0] ?? []).map(() => 0)
}

export function spatialSegment(a: Vec, b: Vec, outTangent: Vec, inTangent: Vec): SpatialSegment {
  const p0 = a
  const p3 = b
  const p1 = a.map((v, i) => v + (outTangent[i] ?? 0))
  const p2 = b.map((v, i) => v + (inTangent[i] ?? 0))
  // Cumulative chord lengths of a fine polyline: lengths[k] is the length up to s = k / SAMPLES.
  const lengths = [0]
  let previous = bezierPoint(p0, p1, p2, p3, 0)
  for (let k = 1; k <= SAMPLES; k++) {
    const point = bezierPoint(p0, p1, p2, p3, k / SAMPLES)
    lengths.push((lengths[k - 1] as number) + norm(point.map((v, i) => v - (previous[i] as number))))
    previous = point
  }
  const length = lengths[SAMPLES] as number
  const startDirection = direction(
    bezierDerivative(p0, p1, p2, p3, 0),
    p2.map((v, i) => v - (p0[i] as number)),
    p3.map((v, i) => v - (p0[i] as number)),
  )
  const endDirection = direction(
    bezierDerivative(p0, p1, p2, p3, 1),
    p3.map((v, i) => v - (p1[i] as number)),
    p3.map((v, i) => v - (p0[i] as number)),
  )

  return {
    length,
    pointAt(distance) {
      if (!(distance > 0)) return p0.map((v, i) => v + (startDirection[i] as number) * (distance || 0))
      if (distance >= length) return p3.map((v, i) => v + (endDirection[i] as number) * (distance - length))
      // Largest k with lengths[k] <= distance, then linear in s within that sample.
      let lo = 0
      let hi = SAMPLES
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1
        if ((lengths[mid] as number) <= distance) lo = mid
        else hi = mid
      }
      const l0 = lengths[lo] as number
      const l1 = lengths[lo + 1] as number
      const s = (lo + (l1 > l0 ? (distance - l0) / (l1 - l0) : 0)) / SAMPLES
      return bezierPoint(p0, p1, p2, p3, s)
    },
  }
}
