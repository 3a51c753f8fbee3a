/**
 * The motion path of a position property, as After Effects draws it on the canvas: where the
 * layer is at every frame between its first and last keyframe, the keyframes themselves and
 * their spatial tangent handles, plus the edits made by dragging them. Everything is in the
 * layer's parent space; the viewport maps it to the screen.
 */
import { valueAt } from '../engine/interpolate'
import type { AnimatableProperty, Keyframe, Vec3 } from '../project/properties'

type Position = AnimatableProperty<Vec3>

export interface MotionPathSample {
  frame: number
  point: Vec3
}

export interface MotionPathKey {
  id: string
  frame: number
  point: Vec3
  /** The tangent handles' points (value + tangent); null when the tangent is zero or shapes no segment. */
  inHandle: Vec3 | null
  outHandle: Vec3 | null
}

/** One cubic piece of the path, from keyframe to keyframe, as its four control points. */
export interface MotionPathSegment {
  from: Vec3
  fromControl: Vec3
  toControl: Vec3
  to: Vec3
}

const ZERO: Vec3 = [0, 0, 0]
const isZero = (v: readonly number[] | undefined) => !v || v.every((c) => c === 0)
const add = (a: Vec3, b: readonly number[] | undefined): Vec3 => [a[0] + (b?.[0] ?? 0), a[1] + (b?.[1] ?? 0), a[2] + (b?.[2] ?? 0)]
const negate = (v: Vec3): Vec3 => [-v[0] || 0, -v[1] || 0, -v[2] || 0]

/** Whether the property has a path to show: two keyframes or more. */
export function hasMotionPath(property: Position): boolean {
  return property.keyframes.length >= 2
}

/** The position at every whole frame from the first keyframe to the last, as the engine moves the layer. */
export function motionPathSamples(property: Position): MotionPathSample[] {
  const first = property.keyframes[0]
  const last = property.keyframes.at(-1)
  if (!first || !last || first === last) return []
  const samples: MotionPathSample[] = []
  for (let frame = Math.ceil(first.frame); frame <= last.frame; frame++) {
    samples.push({ frame, point: valueAt(property, frame, { spatial: true }) })
  }
  return samples
}

/**
 * The keyframes and their handles. The first keyframe's in-tangent and the last one's
 * out-tangent bend nothing, so they get no handle.
 */
export function motionPathKeys(property: Position): MotionPathKey[] {
  const keys = property.keyframes
  return keys.map((keyframe, index) => ({
    id: keyframe.id,
    frame: keyframe.frame,
    point: keyframe.value,
    inHandle: index > 0 && !isZero(keyframe.spatialIn) ? add(keyframe.value, keyframe.spatialIn) : null,
    outHandle: index < keys.length - 1 && !isZero(keyframe.spatialOut) ? add(keyframe.value, keyframe.spatialOut) : null,
  }))
}

/** The path's geometry between consecutive keyframes (straight pieces have controls on their ends). */
export function motionPathSegments(property: Position): MotionPathSegment[] {
  const keys = property.keyframes
  return keys.slice(1).map((b, index) => {
    const a = keys[index] as Keyframe<Vec3>
    return { from: a.value, fromControl: add(a.value, a.spatialOut), toControl: add(b.value, b.spatialIn), to: b.value }
  })
}

const keyframeById = (property: Position, id: string) => property.keyframes.find((keyframe) => keyframe.id === id)

/** Moves a keyframe to `point` in x and y; z stays, as the canvas cannot show it. Returns whether the keyframe exists. */
export function moveMotionPathKey(property: Position, id: string, point: readonly [number, number]): boolean {
  const keyframe = keyframeById(property, id)
  if (!keyframe) return false
  keyframe.value = [point[0], point[1], keyframe.value[2]]
  return true
}

/**
 * Sets one spatial tangent of a keyframe. With `mirror` the other side becomes its negative, so
 * the path stays smooth through the keyframe (After Effects' continuous handles).
 */
export function setSpatialTangent(property: Position, id: string, side: 'in' | 'out', tangent: Vec3, mirror: boolean): boolean {
  const keyframe = keyframeById(property, id)
  if (!keyframe) return false
  const value: Vec3 = [tangent[0], tangent[1], tangent[2]]
  if (side === 'in') keyframe.spatialIn = value
  else keyframe.spatialOut = value
  if (mirror) {
    if (side === 'in') keyframe.spatialOut = negate(value)
    else keyframe.spatialIn = negate(value)
  }
  return true
}

/** Pulls both tangents out of a keyframe: `out` leaves it forwards, the in-tangent is its mirror. */
export function pullSpatialTangents(property: Position, id: string, out: Vec3): boolean {
  return setSpatialTangent(property, id, 'out', out, true)
}

/** A keyframe's tangent on one side, zero when it has none. */
export function spatialTangent(keyframe: Pick<Keyframe<Vec3>, 'spatialIn' | 'spatialOut'>, side: 'in' | 'out'): Vec3 {
  const tangent = side === 'in' ? keyframe.spatialIn : keyframe.spatialOut
  return tangent ? [tangent[0], tangent[1], tangent[2]] : [...ZERO]
}
