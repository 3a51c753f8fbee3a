import { type Mat4, mat4 } from '../../engine'

/** A column-major 4×4 as row-major nested arrays (`m[row][column]`, numpy's layout). */
export function rowMajor(m: Mat4): number[][] {
  return [0, 1, 2, 3].map((row) => [0, 1, 2, 3].map((column) => m[column * 4 + row] as number))
}

/** The top three rows of a column-major 4×4, flattened row by row: r00 r01 r02 t0 r10 … t2. */
export function flatRows3x4(m: Mat4): number[] {
  return rowMajor(m).slice(0, 3).flat()
}

/**
 * The same rigid transform in a world measured in `unit`s instead of pixels: rotation unchanged,
 * translation divided (for a world-to-camera or camera-to-world matrix alike).
 */
export function inUnits(m: Mat4, unit: number): Mat4 {
  const out = [...m]
  for (const i of [12, 13, 14]) out[i] = (m[i] as number) / unit
  return out
}

/**
 * A world-to-camera matrix re-expressed with a reference camera as the world: it maps points in
 * the reference camera's space to this camera's, so the reference itself becomes the identity.
 */
export function relativeWorldToCamera(worldToCamera: Mat4, referenceCameraToWorld: Mat4): Mat4 {
  return mat4.multiply(worldToCamera, referenceCameraToWorld)
}
