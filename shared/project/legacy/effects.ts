import type { Effect, EffectParamValue } from '../layer-common'
import type { AnimatableProperty } from '../properties'
import { type Warn, importAnimatable } from './animatable'
import { colorOf, isRecord, str, vec2Of, vec3Of } from './read'

/** Effects whose state is more than parameters (puppet pins, cached meshes). */
const UNSUPPORTED_EFFECTS = new Set(['mesh-deform'])

/** Colours become hex strings; points become tuples; anything else has no generic form. */
export function effectValueOf(value: unknown): EffectParamValue | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (isRecord(value) && 'r' in value) return colorOf(value)
  if (isRecord(value) && 'z' in value) return vec3Of(value)
  return vec2Of(value)
}

/** Newer files keep `parameters` as a record of properties, older ones as a list with ids. */
function parameterEntries(raw: unknown): [string, unknown][] {
  if (Array.isArray(raw)) {
    return raw.flatMap((p): [string, unknown][] => {
      const key = isRecord(p) ? str(p.id) || str(p.name) : undefined
      return key ? [[key, p]] : []
    })
  }
  return isRecord(raw) ? Object.entries(raw) : []
}

/** A legacy effect instance, or null (with a warning) when it cannot be carried over. */
export function importEffect(raw: unknown, index: number, warn: Warn): Effect | null {
  const type = isRecord(raw) ? str(raw.effectKey) || str(raw.effectId) || str(raw.type) : undefined
  if (!isRecord(raw) || !type) {
    warn(`effect ${index + 1} has no type; dropped.`)
    return null
  }
  const label = `effect "${str(raw.name) ?? type}"`
  if (UNSUPPORTED_EFFECTS.has(type)) {
    warn(`${label} (${type}) is not supported; dropped.`)
    return null
  }
  const params: Record<string, AnimatableProperty<EffectParamValue>> = {}
  for (const [key, prop] of parameterEntries(raw.parameters)) {
    const value = effectValueOf(isRecord(prop) && 'value' in prop ? prop.value : prop)
    if (value === undefined) {
      warn(`${label} parameter "${key}" has no supported value; dropped.`)
      continue
    }
    params[key] = importAnimatable(prop, effectValueOf, value, `${label} parameter "${key}"`, warn)
  }
  return { id: str(raw.id) || `effect-${index + 1}`, type, enabled: raw.enabled !== false, params }
}
