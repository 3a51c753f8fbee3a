import { valueAt } from './interpolate'

/**
 * `T` with every animatable property (`{ value, keyframes }`) replaced by its value type, at any
 * depth: e.g. a camera's `data` resolves to `{ zoom: number, pointOfInterest: Vec3, … }`.
 */
export type Resolved<T> = T extends { value: infer V; keyframes: readonly unknown[] }
  ? V
  : T extends readonly unknown[]
    ? { [K in keyof T]: Resolved<T[K]> }
    : T extends object
      ? { [K in keyof T]: Resolved<T[K]> }
      : T

const isAnimatable = (value: object): value is { value: unknown; keyframes: { frame: number; value: unknown }[] } =>
  Object.hasOwn(value, 'value') && Array.isArray((value as { keyframes?: unknown }).keyframes)

/**
 * Resolves every animatable property inside `value` at `frame` (see Resolved). Properties named
 * `position` follow their motion path (spatial tangents); everything else is copied.
 */
export function resolveAnimatables<T>(value: T, frame: number, key?: string): Resolved<T> {
  if (Array.isArray(value)) return value.map((item) => resolveAnimatables(item, frame)) as Resolved<T>
  if (typeof value !== 'object' || value === null) return value as Resolved<T>
  if (isAnimatable(value)) return valueAt(value as never, frame, { spatial: key === 'position' }) as Resolved<T>
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = resolveAnimatables(v, frame, k)
  return out as Resolved<T>
}
