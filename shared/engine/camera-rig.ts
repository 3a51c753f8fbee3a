import type { Vec3 } from '../project/properties'
import { type Mat4, compose, fromBasis, identity, translation, vec3 } from './mat4'
import { type TransformValues, rotationMatrix } from './transform'

/**
 * After Effects camera geometry. A camera sits in composition space (x right, y down, z away
 * from the viewer) and looks along its own +Z with its +Y pointing down the screen. Zoom is the
 * distance in pixels at which a layer at 100 % fills the composition exactly.
 */

const RAD = 180 / Math.PI

/** Vertical angle of view in degrees (three.js `fov`) for `zoom` pixels in a composition `height` tall. */
export function zoomToFov(zoom: number, height: number): number {
  return 2 * Math.atan(height / 2 / zoom) * RAD
}

/** Zoom in pixels giving a vertical angle of view of `fovDegrees` for a composition `height` tall. */
export function fovToZoom(fovDegrees: number, height: number): number {
  return height / 2 / Math.tan((fovDegrees / RAD) / 2)
}

/**
 * Zoom of After Effects' default camera (the 50 mm preset on 36 mm film, 39.6° horizontally),
 * used when a composition has no camera layer: width · 50 / 36.
 */
export function defaultZoom(width: number): number {
  return (width * 50) / 36
}

/**
 * Rotation turning a camera at `position` towards `target`: its +Z points at the target and its
 * +X stays level (perpendicular to the composition's Y axis), so +Y points as far down as it can.
 * Looking straight up or down, +X stays along the composition's X axis. Identity when the two
 * points coincide.
 */
export function lookAtRotation(position: Vec3, target: Vec3): Mat4 {
  const z = vec3.normalize(vec3.sub(target, position))
  if (vec3.length(z) === 0) return identity()
  let x = vec3.cross([0, 1, 0], z)
  if (vec3.length(x) < 1e-9) x = [1, 0, 0]
  x = vec3.normalize(x)
  const y = vec3.normalize(vec3.cross(z, x))
  return fromBasis(x, y, z)
}

/**
 * Camera space → parent space: T(position) · aim · orientation and rotations, where aim looks
 * at the point of interest for two-node cameras (auto-orientation, as in After Effects, with
 * orientation and X/Y/Z rotation applied on top). Cameras have no anchor point or scale.
 */
export function cameraLocalMatrix(values: TransformValues, pointOfInterest: Vec3 | null): Mat4 {
  const [px, py, pz] = values.position
  const aim = pointOfInterest ? lookAtRotation(values.position, pointOfInterest) : identity()
  return compose(translation(px, py, pz), aim, rotationMatrix(values))
}
