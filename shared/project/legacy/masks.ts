import type { BezierPath, Mask } from '../masks'
import { MASK_MODES } from '../masks'
import type { Vec2 } from '../properties'
import { type Warn, importAnimatable } from './animatable'
import { bool, clamp, isRecord, num, str, vec2Of } from './read'

const EMPTY_PATH: BezierPath = { closed: true, vertices: [] }

/** Legacy mask vertices are flat `{ x, y, inTangentX, ... }`. */
export function maskPathOf(value: unknown): BezierPath | undefined {
  if (!isRecord(value) || !Array.isArray(value.vertices)) return undefined
  const vertices: BezierPath['vertices'] = []
  for (const v of value.vertices) {
    if (!isRecord(v)) return undefined
    const point = vec2Of(v)
    if (!point) return undefined
    const tangent = (x: unknown, y: unknown): Vec2 => [num(x) ?? 0, num(y) ?? 0]
    vertices.push({
      point,
      inTangent: tangent(v.inTangentX, v.inTangentY),
      outTangent: tangent(v.outTangentX, v.outTangentY),
    })
  }
  return { closed: bool(value.closed, true), vertices }
}

const numberOf = (value: unknown) => num(value)
const percentOf = (value: unknown) => {
  const n = num(value)
  return n === undefined ? undefined : clamp(n, 0, 100)
}
/** Legacy feather is one radius; ours is horizontal and vertical. */
const featherOf = (value: unknown): Vec2 | undefined => {
  const n = num(value)
  return n === undefined ? undefined : [Math.max(0, n), Math.max(0, n)]
}

/** A legacy mask, or null (with a warning) when it was switched off and would not render. */
export function importMask(raw: unknown, index: number, warn: Warn): Mask | null {
  if (!isRecord(raw)) {
    warn(`mask ${index + 1} is unreadable; dropped.`)
    return null
  }
  const name = str(raw.name) ?? `Mask ${index + 1}`
  if (raw.enabled === false || raw.mode === 'none') {
    warn(`mask "${name}" is disabled; dropped.`)
    return null
  }
  const known = (MASK_MODES as readonly unknown[]).includes(raw.mode)
  if (raw.mode !== undefined && !known) warn(`mask "${name}" mode "${String(raw.mode)}" is not supported; using add.`)
  const mode = known ? (raw.mode as Mask['mode']) : 'add'
  const label = `mask "${name}"`
  return {
    id: str(raw.id) || `mask-${index + 1}`,
    name,
    mode,
    inverted: bool(raw.inverted, false),
    path: importAnimatable(raw.path, maskPathOf, EMPTY_PATH, `${label} path`, warn),
    feather: importAnimatable(raw.feather, featherOf, [0, 0], `${label} feather`, warn),
    expansion: importAnimatable(raw.expansion, numberOf, 0, `${label} expansion`, warn),
    opacity: importAnimatable(raw.opacity, percentOf, 100, `${label} opacity`, warn),
  }
}
