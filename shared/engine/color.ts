/**
 * Colour interpolation. Colours are stored as sRGB hex (`#rrggbb` or `#rrggbbaa`) and mixed in
 * linear-light RGB: that is how light adds up and how three.js (with colour management, its
 * default) blends, so a red→green fade passes through a bright yellow instead of the dark olive
 * that mixing the gamma-encoded numbers gives. Alpha is not gamma-encoded and mixes linearly.
 */

const HEX = /^#([0-9a-fA-F]{6})([0-9a-fA-F]{2})?$/

export const isHexColor = (value: unknown): value is string => typeof value === 'string' && HEX.test(value)

/** sRGB transfer function (IEC 61966-2-1), component in [0, 1]. */
export const srgbToLinear = (c: number): number => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
export const linearToSrgb = (c: number): number => (c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055)

/** [r, g, b, a] in [0, 1], r/g/b still sRGB-encoded. */
export function parseHexColor(hex: string): [number, number, number, number] {
  const match = HEX.exec(hex)
  if (!match) throw new Error(`not a colour: ${hex}`)
  const n = (i: number, s: string) => parseInt(s.slice(i, i + 2), 16) / 255
  const rgb = match[1] as string
  return [n(0, rgb), n(2, rgb), n(4, rgb), match[2] === undefined ? 1 : n(0, match[2])]
}

/** `#rrggbb`, or `#rrggbbaa` when `withAlpha`; components are clamped to [0, 1]. */
export function formatHexColor([r, g, b, a]: readonly number[], withAlpha: boolean): string {
  const byte = (c: number | undefined) =>
    Math.round(Math.min(1, Math.max(0, c ?? 0)) * 255)
      .toString(16)
      .padStart(2, '0')
  return `#${byte(r)}${byte(g)}${byte(b)}${withAlpha ? byte(a) : ''}`
}

/**
 * The colour `t` of the way from `a` to `b` (t may leave [0, 1] with overshooting easings; the
 * result is clamped to displayable values). Written with alpha when either end has it.
 */
export function mixColors(a: string, b: string, t: number): string {
  const ca = parseHexColor(a)
  const cb = parseHexColor(b)
  const mixed = [0, 1, 2].map((i) => {
    const la = srgbToLinear(ca[i] as number)
    const lb = srgbToLinear(cb[i] as number)
    return linearToSrgb(Math.max(0, la + (lb - la) * t))
  })
  mixed.push(ca[3] + (cb[3] - ca[3]) * t)
  return formatHexColor(mixed, a.length > 7 || b.length > 7)
}
