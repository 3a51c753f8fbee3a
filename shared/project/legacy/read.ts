import type { Vec2, Vec3 } from '../properties'

/** Readers for untrusted legacy JSON: each returns undefined instead of throwing. */
export type Raw = Record<string, unknown>

export const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export const asRecord = (value: unknown): Raw => (isRecord(value) ? value : {})

export const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined

export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)

export const bool = (value: unknown, fallback: boolean): boolean => (typeof value === 'boolean' ? value : fallback)

export const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value))

const hex2 = (channel: number): string => Math.round(clamp(channel, 0, 255)).toString(16).padStart(2, '0')

/**
 * A legacy colour as our lowercase `#rrggbb(aa)`: accepts `#rgb`, `#rrggbb`, `#rrggbbaa` and
 * `{ r, g, b, a }` objects (channels 0..255, alpha 0..1). Opaque colours drop the alpha byte.
 */
export function colorOf(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(value)
    if (short) return `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`.toLowerCase()
    if (/^#(?:[0-9a-f]{6}|[0-9a-f]{8})$/i.test(value)) return value.toLowerCase()
    return undefined
  }
  if (!isRecord(value)) return undefined
  const [r, g, b] = [num(value.r), num(value.g), num(value.b)]
  if (r === undefined || g === undefined || b === undefined) return undefined
  const alpha = clamp(num(value.a) ?? 1, 0, 1)
  return `#${hex2(r)}${hex2(g)}${hex2(b)}${alpha < 1 ? hex2(alpha * 255) : ''}`
}

/** `{x, y}` (or `[x, y]`) as a tuple. */
export function vec2Of(value: unknown): Vec2 | undefined {
  if (Array.isArray(value)) return vec2Of({ x: value[0], y: value[1] })
  if (!isRecord(value)) return undefined
  const [x, y] = [num(value.x), num(value.y)]
  return x === undefined || y === undefined ? undefined : [x, y]
}

/** `{x, y, z?}` (or an array) as a tuple; 2D values get `z` (0 for positions, 100 for scale). */
export function vec3Of(value: unknown, z = 0): Vec3 | undefined {
  if (Array.isArray(value)) return vec3Of({ x: value[0], y: value[1], z: value[2] }, z)
  const xy = vec2Of(value)
  if (!xy || !isRecord(value)) return undefined
  return [xy[0], xy[1], num(value.z) ?? z]
}
