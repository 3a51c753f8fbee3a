/** Keyframe edits at a frame: set, add, toggle, delete, move, ease and paste. */
import { valueAt } from '../engine/interpolate'
import type { AnimatableProperty, Easing, Interpolation, Keyframe } from '../project/properties'
import { newId } from './ids'

/** Index where a keyframe at `frame` goes to keep the list sorted; `exact` when one is there. */
export function keyframeSlot(keyframes: readonly { frame: number }[], frame: number): { index: number; exact: boolean } {
  let index = 0
  while (index < keyframes.length && (keyframes[index] as { frame: number }).frame < frame) index++
  return { index, exact: keyframes[index]?.frame === frame }
}

/**
 * Edits a property as the user sees it at `frame`: unanimated properties change their value;
 * animated ones change the keyframe at `frame`, or get a new one there. Returns the keyframe
 * touched, if any.
 */
export function setValueAtFrame<T>(property: AnimatableProperty<T>, frame: number, value: T): Keyframe<T> | null {
  if (property.keyframes.length === 0) {
    property.value = value
    return null
  }
  const { index, exact } = keyframeSlot(property.keyframes, frame)
  if (exact) {
    const keyframe = property.keyframes[index] as Keyframe<T>
    keyframe.value = value
    return keyframe
  }
  const neighbour = property.keyframes[Math.max(0, index - 1)] as Keyframe<T>
  const keyframe: Keyframe<T> = { id: newId('key'), frame, value, interpolation: neighbour.interpolation }
  if (neighbour.easing) keyframe.easing = neighbour.easing
  property.keyframes.splice(index, 0, keyframe)
  return keyframe
}

/** Adds a keyframe holding the current value at `frame` (no-op when one is there). */
export function addKeyframe<T>(property: AnimatableProperty<T>, frame: number, spatial = false): Keyframe<T> {
  const { index, exact } = keyframeSlot(property.keyframes, frame)
  if (exact) return property.keyframes[index] as Keyframe<T>
  const value = structuredCloneValue(valueAt(property, frame, { spatial }))
  const keyframe: Keyframe<T> = { id: newId('key'), frame, value, interpolation: 'linear' }
  property.keyframes.splice(index, 0, keyframe)
  return keyframe
}

function structuredCloneValue<T>(value: T): T {
  return (typeof value === 'object' && value !== null ? JSON.parse(JSON.stringify(value)) : value) as T
}

/**
 * The stopwatch: starts animating with one keyframe at `frame`, or stops, keeping the value
 * seen at `frame` as the static value.
 */
export function toggleAnimation<T>(property: AnimatableProperty<T>, frame: number, spatial = false): void {
  if (property.keyframes.length === 0) {
    addKeyframe(property, frame, spatial)
    return
  }
  property.value = structuredCloneValue(valueAt(property, frame, { spatial }))
  property.keyframes.splice(0, property.keyframes.length)
}

/** Removes the keyframes whose ids are in `ids`; the value stays what it was at `frame`. */
export function deleteKeyframes<T>(property: AnimatableProperty<T>, ids: ReadonlySet<string>, frame: number, spatial = false): number {
  const before = property.keyframes.length
  const keep = property.keyframes.filter((keyframe) => !ids.has(keyframe.id))
  if (keep.length === before) return 0
  if (keep.length === 0) property.value = structuredCloneValue(valueAt(property, frame, { spatial }))
  property.keyframes.splice(0, before, ...keep)
  return before - keep.length
}

/**
 * Moves the keyframes in `ids` by `delta` frames (whole frames, never below 0). A moved
 * keyframe landing on an unmoved one replaces it, as in After Effects; order stays sorted.
 */
export function moveKeyframes<T>(property: AnimatableProperty<T>, ids: ReadonlySet<string>, delta: number): void {
  const moving = property.keyframes.filter((keyframe) => ids.has(keyframe.id))
  if (moving.length === 0 || delta === 0) return
  const minFrame = Math.min(...moving.map((keyframe) => keyframe.frame))
  const shift = Math.max(delta, -minFrame)
  if (shift === 0) return
  const targets = new Set(moving.map((keyframe) => keyframe.frame + shift))
  const staying = property.keyframes.filter((keyframe) => !ids.has(keyframe.id) && !targets.has(keyframe.frame))
  for (const keyframe of moving) keyframe.frame += shift
  const next = [...staying, ...moving].sort((a, b) => a.frame - b.frame)
  property.keyframes.splice(0, property.keyframes.length, ...next)
}

/** Easing choices for keyframes: the schema's interpolations and its easing presets. */
export type KeyframeEase = Interpolation | Easing

/** Sets how the segment after `keyframe` moves: `hold`, `linear`, `bezier` (its handles) or a preset. */
export function setKeyframeEase(keyframe: Keyframe<unknown>, ease: KeyframeEase): void {
  if (ease === 'hold' || ease === 'linear' || ease === 'bezier') {
    keyframe.interpolation = ease
    if (keyframe.easing !== undefined) delete keyframe.easing
  } else {
    keyframe.interpolation = 'bezier'
    keyframe.easing = ease
  }
}

/** What a keyframe's ease menu shows as selected. */
export function keyframeEase(keyframe: Pick<Keyframe<unknown>, 'interpolation' | 'easing'>): KeyframeEase {
  return keyframe.interpolation !== 'hold' && keyframe.easing ? keyframe.easing : keyframe.interpolation
}

/**
 * Pastes copied keyframes into `property` so the earliest lands on `frame`, replacing keyframes
 * at the same frames. Returns the new keyframes' ids.
 */
export function pasteKeyframes<T>(property: AnimatableProperty<T>, copied: readonly Keyframe<T>[], frame: number): string[] {
  if (copied.length === 0) return []
  const first = Math.min(...copied.map((keyframe) => keyframe.frame))
  const fresh = (JSON.parse(JSON.stringify(copied)) as Keyframe<T>[]).map((keyframe) => ({
    ...keyframe, id: newId('key'), frame: keyframe.frame - first + frame,
  }))
  const frames = new Set(fresh.map((keyframe) => keyframe.frame))
  const next = [...property.keyframes.filter((keyframe) => !frames.has(keyframe.frame)), ...fresh].sort((a, b) => a.frame - b.frame)
  property.keyframes.splice(0, property.keyframes.length, ...next)
  return fresh.map((keyframe) => keyframe.id)
}
