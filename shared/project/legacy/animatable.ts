import type { AnimatableProperty, BezierHandle, Easing, Interpolation, Keyframe } from '../properties'
import { EASINGS } from '../properties'
import { type Raw, clamp, isRecord, num, str, vec3Of } from './read'

/** Collects warnings already prefixed with where they happened (layer, composition). */
export type Warn = (message: string) => void

/** Legacy easing families we have no curve for, and the closest one we do. */
const EASING_SUBSTITUTES: Record<string, string> = { quart: 'cubic', quint: 'expo', circ: 'expo' }

interface Timing {
  interpolation: Interpolation
  easing?: Easing
}

/** `easeInOutSine` → sineInOut; unknown names fall back to linear with a warning. */
function timingOf(raw: unknown, label: string, warn: Warn): Timing {
  if (raw === 'hold' || raw === 'linear' || raw === 'bezier') return { interpolation: raw }
  if (raw === undefined) return { interpolation: 'linear' }
  const name = String(raw)
  if ((EASINGS as readonly string[]).includes(name)) return { interpolation: 'bezier', easing: name as Easing }
  const match = /^ease(In|Out|InOut)([A-Z][a-z]+)$/.exec(name)
  if (match) {
    const family = (match[2] ?? '').toLowerCase()
    const substitute = EASING_SUBSTITUTES[family]
    const easing = `${substitute ?? family}${match[1]}`
    if ((EASINGS as readonly string[]).includes(easing)) {
      if (substitute) warn(`easing "${name}" on ${label} is not available; using "${easing}".`)
      return { interpolation: 'bezier', easing: easing as Easing }
    }
  }
  warn(`interpolation "${name}" on ${label} is not supported; using linear.`)
  return { interpolation: 'linear' }
}

/**
 * Legacy graph-editor handles are offsets `{ frame, value }` from the keyframe; After Effects
 * temporal ease is a slope (`speed`, value per frame) plus how far into the segment it reaches.
 */
function easeOf(handle: unknown, span: number): BezierHandle | undefined {
  if (!isRecord(handle) || handle.enabled === false || span <= 0) return undefined
  const dFrame = num(handle.frame) ?? 0
  if (dFrame === 0) return undefined
  const speed = (num(handle.value) ?? 0) / dFrame
  // A flat in-handle gives 0 / -n = -0, which JSON cannot keep.
  return { speed: speed === 0 ? 0 : speed, influence: clamp((Math.abs(dFrame) / span) * 100, 0, 100) }
}

/** Turns a legacy value into ours, or undefined when it cannot be represented. */
export type ValueMapper<T> = (value: unknown) => T | undefined

/**
 * Converts a legacy AnimatableProperty (`{ value, animated, keyframes, expression }`) or a bare
 * value. Unreadable keyframes are skipped, keyframes are sorted, and for two on the same frame
 * the later one wins; each loss is reported through `warn` with `label` naming the property.
 */
export function importAnimatable<T>(
  raw: unknown,
  mapValue: ValueMapper<T>,
  fallback: T,
  label: string,
  warn: Warn,
): AnimatableProperty<T> {
  if (!isRecord(raw) || !('value' in raw || 'keyframes' in raw)) return { value: mapValue(raw) ?? fallback, keyframes: [] }
  const expression = raw.expression
  if (isRecord(expression) && expression.enabled !== false) {
    warn(`expression "${str(expression.name) ?? 'custom'}" on ${label} is not supported; dropped.`)
  }
  const value = mapValue(raw.value) ?? fallback
  const keyframes = Array.isArray(raw.keyframes) ? importKeyframes(raw.keyframes, mapValue, label, warn) : []
  return { value, keyframes }
}

function importKeyframes<T>(rawKeyframes: unknown[], mapValue: ValueMapper<T>, label: string, warn: Warn): Keyframe<T>[] {
  const read: { raw: Raw; frame: number; value: T }[] = []
  for (const raw of rawKeyframes) {
    const frame = isRecord(raw) ? num(raw.frame) : undefined
    const value = isRecord(raw) ? mapValue(raw.value) : undefined
    if (isRecord(raw) && frame !== undefined && frame >= 0 && value !== undefined) read.push({ raw, frame, value })
  }
  if (read.length < rawKeyframes.length) {
    warn(`${rawKeyframes.length - read.length} unreadable keyframe(s) on ${label} dropped.`)
  }
  read.sort((a, b) => a.frame - b.frame)
  const unique = read.filter((entry, i) => read[i + 1]?.frame !== entry.frame)
  if (unique.length < read.length) {
    warn(`${read.length - unique.length} keyframe(s) on ${label} shared a frame; kept the last.`)
  }

  return unique.map((entry, i): Keyframe<T> => {
    const prevFrame = unique[i - 1]?.frame
    const nextFrame = unique[i + 1]?.frame
    const keyframe: Keyframe<T> = {
      id: str(entry.raw.id) || `${label.replace(/\W+/g, '-')}-${i}`,
      frame: entry.frame,
      value: entry.value,
      ...timingOf(entry.raw.interpolation, label, warn),
    }
    const inHandle = prevFrame === undefined ? undefined : easeOf(entry.raw.inHandle, entry.frame - prevFrame)
    const outHandle = nextFrame === undefined ? undefined : easeOf(entry.raw.outHandle, nextFrame - entry.frame)
    if (inHandle) keyframe.inHandle = inHandle
    if (outHandle) keyframe.outHandle = outHandle
    const spatialIn = vec3Of(entry.raw.spatialInTangent ?? entry.raw.spatialIn)
    const spatialOut = vec3Of(entry.raw.spatialOutTangent ?? entry.raw.spatialOut)
    if (spatialIn) keyframe.spatialIn = spatialIn
    if (spatialOut) keyframe.spatialOut = spatialOut
    return keyframe
  })
}
