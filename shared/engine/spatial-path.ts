/**
 * A spatial bezier segment of a motion path (After Effects position keyframes): from `a` to `b`
 * with the tangents `a + outTangent` and `b + inTangent`, walked by arc length so the speed
 * along the path is what the temporal curve says (arc length from adaptive Gauss–Legendre quadrature
 * over 16 parameter intervals, refined by Newton's method within an interval).
 */

type Vec = readonly number[]

const SAMPLES = 16
const GAUSS_NODES = [0, -0.5384693101056831, 0.5384693101056831, -0.906179845938664, 0.906179845938664]
const GAUSS_WEIGHTS = [0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891, 0.2369268850561891]

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
  // B'(s) = qa·s² + qb·s + qc per dimension; |B'(s)| without allocating.
  const qa = p0.map((v, i) => 3 * (-v + 3 * (p1[i] as number) - 3 * (p2[i] as number) + (p3[i] as number)))
  const qb = p0.map((v, i) => 6 * (v - 2 * (p1[i] as number) + (p2[i] as number)))
  const qc = p0.map((v, i) => 3 * ((p1[i] as number) - v))
  const speed = (s: number) => {
    let sum = 0
    for (let i = 0; i < qa.length; i++) {
      const d = ((qa[i] as number) * s + (qb[i] as number)) * s + (qc[i] as number)
      sum += d * d
    }
    return Math.sqrt(sum)
  }
  // Arc length between two parameters: 5-point Gauss–Legendre quadrature of |B'(s)|, halved
  // adaptively where that disagrees with its two halves (|B'| has a kink where a path doubles back).
  const gauss = (from: number, to: number) => {
    const half = (to - from) / 2
    const mid = (from + to) / 2
    let sum = 0
    for (let i = 0; i < GAUSS_NODES.length; i++) sum += (GAUSS_WEIGHTS[i] as number) * speed(mid + half * (GAUSS_NODES[i] as number))
    return sum * half
  }
  const arc = (from: number, to: number, whole = gauss(from, to), depth = 0): number => {
    const mid = (from + to) / 2
    const left = gauss(from, mid)
    const right = gauss(mid, to)
    if (depth >= 12 || Math.abs(left + right - whole) <= 1e-11 * Math.max(1, left + right)) return left + right
    return arc(from, mid, left, depth + 1) + arc(mid, to, right, depth + 1)
  }
  // lengths[k] is the arc length up to s = k / SAMPLES.
  const lengths = [0]
  for (let k = 1; k <= SAMPLES; k++) lengths.push((lengths[k - 1] as number) + arc((k - 1) / SAMPLES, k / SAMPLES))
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
      const from = lo / SAMPLES
      const to = (lo + 1) / SAMPLES
      const remaining = distance - l0
      let s = from + (l1 > l0 ? (remaining / (l1 - l0)) * (to - from) : 0)
      // Newton on the exact arc length within the interval, with bisection when a step leaves
      // the bracket (the speed vanishes where a path stops or turns back).
      let lo2 = from
      let hi2 = to
      for (let i = 0; i < 40; i++) {
        const err = arc(from, s) - remaining
        if (Math.abs(err) <= 1e-10 * Math.max(1, length)) break
        if (err > 0) hi2 = s
        else lo2 = s
        const v = speed(s)
        const next = v > 0 ? s - err / v : Number.NaN
        s = next > lo2 && next < hi2 ? next : (lo2 + hi2) / 2
        if (hi2 - lo2 < 1e-15) break
      }
      return bezierPoint(p0, p1, p2, p3, s)
    },
  }
}
