import type { DepthConvention } from '../../shared/export/options'

/**
 * Depth as grey levels for the depth pass's images and videos. Input is linear eye distance per
 * pixel in composition pixels, rows from the top; 0, negative or non-finite means no surface there.
 */

export type DepthRange = [near: number, far: number]

/**
 * - `normalized`: linear over [near, far], near white, far and empty black;
 * - `inverse` (MiDaS / Depth Anything): ∝ 1/distance, near white, far (near/far)·white, empty black;
 * - `metric` (ZoeDepth): linear over [near, far], near black, far and empty white.
 * Distances outside the range count as its nearer or farther end.
 */
export function depthToLevels(distance: Float32Array, width: number, height: number, range: DepthRange, convention: DepthConvention, bits: 8): Uint8Array
export function depthToLevels(distance: Float32Array, width: number, height: number, range: DepthRange, convention: DepthConvention, bits: 16): Uint16Array
export function depthToLevels(distance: Float32Array, width: number, height: number, range: DepthRange, convention: DepthConvention, bits: 8 | 16): Uint8Array | Uint16Array
export function depthToLevels(
  distance: Float32Array,
  width: number,
  height: number,
  [near, far]: DepthRange,
  convention: DepthConvention,
  bits: 8 | 16,
): Uint8Array | Uint16Array {
  if (distance.length !== width * height) throw new Error(`A ${width}×${height} depth image has ${width * height} values, got ${distance.length}.`)
  if (!(near > 0 && far > near && Number.isFinite(far))) throw new Error(`A depth range is [near, far] with 0 < near < far, got [${near}, ${far}].`)
  const white = bits === 8 ? 255 : 65535
  const levels = bits === 8 ? new Uint8Array(distance.length) : new Uint16Array(distance.length)
  const [fraction, empty] = CONVENTIONS[convention]
  for (let i = 0; i < distance.length; i++) {
    const d = distance[i]!
    levels[i] = isSurface(d) ? Math.round(fraction(Math.min(far, Math.max(near, d)), near, far) * white) : empty * white
  }
  return levels
}

/** [nearest, farthest] distance over the pixels with a surface; null when there is none. */
export function depthRangeOf(distance: Float32Array): DepthRange | null {
  let min = Infinity
  let max = -Infinity
  for (const d of distance) {
    if (!isSurface(d)) continue
    if (d < min) min = d
    if (d > max) max = d
  }
  return min === Infinity ? null : [min, max]
}

function isSurface(d: number): boolean {
  return d > 0 && d !== Infinity
}

/** Per convention: the level (0 black … 1 white) of a distance already inside the range, and of empty pixels. */
const CONVENTIONS: Record<DepthConvention, [fraction: (d: number, near: number, far: number) => number, empty: 0 | 1]> = {
  normalized: [(d, near, far) => (far - d) / (far - near), 0],
  inverse: [(d, near) => near / d, 0],
  metric: [(d, near, far) => (d - near) / (far - near), 1],
}
