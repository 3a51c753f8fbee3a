import { parseHexColor } from '../shared/engine'

/** `#rrggbb[aa]` as premultiplied RGBA in 0..1 (sRGB-encoded values: no linearisation). */
export function premultipliedColor(hex: string, opacity = 1): [number, number, number, number] {
  const [r, g, b, a] = parseHexColor(hex)
  const alpha = a * opacity
  return [r * alpha, g * alpha, b * alpha, alpha]
}
