import { type Mat4, mat4 } from '../shared/engine'

/** An axis-aligned rectangle in a layer's own space (pixels, y down). */
export interface Bounds {
  x: number
  y: number
  width: number
  height: number
}

/** Maps the unit square (the quad and grid meshes, and texture coordinates) onto `bounds`. */
export function boundsMatrix(bounds: Bounds): Mat4 {
  return mat4.multiply(mat4.translation(bounds.x, bounds.y, 0), mat4.scaling(bounds.width, bounds.height, 1))
}

/**
 * Composition pixels (origin top-left, y down) → clip space for 2D layers. Row 0 of every
 * render target is the top of the picture, so textures and targets share "v = 0 is the top"
 * and `readPixels` needs no flip.
 */
export function orthographic(width: number, height: number): Mat4 {
  return [2 / width, 0, 0, 0, 0, 2 / height, 0, 0, 0, 0, 0, 0, -1, -1, 0, 1]
}

/** The engine's projection has y up (top row = +1); render targets keep the top at row 0. */
export const FLIP_Y: Mat4 = [1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]

export function union(a: Bounds | null, b: Bounds): Bounds {
  if (!a) return b
  const x = Math.min(a.x, b.x)
  const y = Math.min(a.y, b.y)
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y }
}

/** Whole-pixel bounds containing `b`, grown by `pad` on each side. */
export function snapBounds(b: Bounds, pad = 0): Bounds {
  const x = Math.floor(b.x - pad)
  const y = Math.floor(b.y - pad)
  return { x, y, width: Math.max(1, Math.ceil(b.x + b.width + pad) - x), height: Math.max(1, Math.ceil(b.y + b.height + pad) - y) }
}
