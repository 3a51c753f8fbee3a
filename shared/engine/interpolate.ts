import type { BezierPath } from '../project/masks'
import type { AnimatableProperty, Keyframe } from '../project/properties'
import { temporalCurve, temporalDistance } from './bezier-timing'
import { isHexColor, mixColors } from './color'
import { easingFunction } from './easing'
import { spatialSegment } from './spatial-path'

/**
 * Evaluating animatable properties at a (fractional) frame.
 *
 * - No keyframes: the static `value`. Before the first / after the last keyframe: that
 *   keyframe's value. At a keyframe's frame: exactly its value.
 * - The segment from keyframe A to the next keyframe B is shaped by A (the schema's rule, also
 *   After Effects' outgoing interpolation): `hold` keeps A's value until B's frame; otherwise A's
 *   `easing`, when set, is the curve (it replaces the handles, on linear and bezier keyframes
 *   alike); otherwise `linear` moves at constant speed and `bezier` follows A's out-handle and
 *   B's in-handle (bezier-timing.ts).
 * - Speeds are in value units per frame, measured as a distance: signed difference for numbers
 *   (so a bezier segment between equal numbers can still bulge, as in After Effects' value
 *   graph), length of the straight line or motion path for vectors. Colours and bezier paths
 *   have no natural unit, so their distance is 1 and speed is the fraction of the change per frame.
 * - Vectors move along the straight line, or for spatial properties (position) with tangents
 *   along the spatial bezier, by arc length, so the temporal curve sets the speed along the path.
 * - Colours mix in linear-light RGB (color.ts). Bezier paths mix vertex by vertex when both have
 *   as many vertices, else hold. Anything else (strings, booleans, mismatched vectors) holds.
 */

export interface InterpolateOptions {
  /** Use the keyframes' spatial tangents (motion paths); for position properties. */
  spatial?: boolean
}

/** Index of the last keyframe at or before `frame`; -1 when `frame` is before the first. */
export function keyframeIndexAt(keyframes: readonly { frame: number }[], frame: number): number {
  let lo = 0
  let hi = keyframes.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if ((keyframes[mid] as { frame: number }).frame <= frame) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}

/** The value of `property` at `frame`. */
export function valueAt<T>(property: AnimatableProperty<T>, frame: number, options: InterpolateOptions = {}): T {
  const keyframes = property.keyframes
  const first = keyframes[0]
  if (!first) return property.value
  if (!(frame > first.frame)) return first.value
  const index = keyframeIndexAt(keyframes, frame)
  const a = keyframes[index] as Keyframe<T>
  const b = keyframes[index + 1]
  if (!b || frame === a.frame || a.interpolation === 'hold') return a.value
  const duration = b.frame - a.frame
  const u = (frame - a.frame) / duration
  const segment = segmentGeometry(a, b, options)
  if (!segment) return a.value
  let distance: number
  if (a.easing) distance = easingFunction(a.easing)(u) * segment.distance
  else if (a.interpolation === 'linear') distance = u * segment.distance
  else distance = temporalDistance(temporalCurve(a.outHandle, b.inHandle, duration, segment.distance), u)
  return segment.at(distance) as T
}

interface SegmentGeometry {
  /** Distance from A to B in the units of speed. */
  distance: number
  /** The value after moving `distance` from A towards B (may go beyond either end). */
  at(distance: number): unknown
}

const isNumberArray = (value: unknown): value is number[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'number')

const isBezierPath = (value: unknown): value is BezierPath =>
  typeof value === 'object' && value !== null && Array.isArray((value as BezierPath).vertices)

const lerp = (a: number, b: number, t: number) => a + (b - a) * t
const lerpArray = (a: readonly number[], b: readonly number[], t: number) => a.map((v, i) => lerp(v, b[i] as number, t))
const isZero = (v: readonly number[] | undefined) => !v || v.every((c) => c === 0)

function segmentGeometry(a: Keyframe<unknown>, b: Keyframe<unknown>, options: InterpolateOptions): SegmentGeometry | null {
  const va = a.value
  const vb = b.value
  if (typeof va === 'number' && typeof vb === 'number') {
    return { distance: vb - va, at: (d) => va + d }
  }
  if (isNumberArray(va) && isNumberArray(vb) && va.length === vb.length) {
    const dims = va.length
    if (options.spatial && !(isZero(a.spatialOut) && isZero(b.spatialIn))) {
      const path = spatialSegment(va, vb, (a.spatialOut ?? []).slice(0, dims), (b.spatialIn ?? []).slice(0, dims))
      return { distance: path.length, at: (d) => path.pointAt(d) }
    }
    const length = Math.hypot(...va.map((v, i) => (vb[i] as number) - v))
    return { distance: length, at: (d) => (length > 0 ? lerpArray(va, vb, d / length) : [...va]) }
  }
  if (isHexColor(va) && isHexColor(vb)) {
    return { distance: 1, at: (d) => mixColors(va, vb, d) }
  }
  if (isBezierPath(va) && isBezierPath(vb) && va.vertices.length === vb.vertices.length) {
    return {
      distance: 1,
      at: (d): BezierPath => ({
        closed: va.closed,
        vertices: va.vertices.map((v, i) => {
          const w = vb.vertices[i] as BezierPath['vertices'][number]
          return {
            point: lerpArray(v.point, w.point, d) as [number, number],
            inTangent: lerpArray(v.inTangent, w.inTangent, d) as [number, number],
            outTangent: lerpArray(v.outTangent, w.outTangent, d) as [number, number],
          }
        }),
      }),
    }
  }
  return null
}
