import { type Mat4, mat4 } from '../../../engine'
import type { CameraPose, CameraTrajectory } from '../trajectory'
import { type CameraFile, jsonFile } from './file'

const DEG = 180 / Math.PI
/** Pixels of camera travel per unit of `z_offset` (the original Lattice's scale). */
const Z_OFFSET_PIXELS = 1000

/**
 * Pitch, yaw and roll in degrees of a rotation in OpenCV camera axes, taken as
 * R = Ry(yaw)·Rx(pitch)·Rz(roll): pitch > 0 tilts up, yaw > 0 turns right, roll > 0 turns the
 * camera clockwise (the picture anticlockwise) — the signs of an After Effects camera's X, Y and
 * Z rotation, so a camera turned about one axis reads back its own angle.
 */
function yawPitchRoll(m: Mat4): { pitch: number; yaw: number; roll: number } {
  // Element (row r, column c) of the column-major matrix.
  const at = (r: number, c: number) => m[c * 4 + r] as number
  return {
    pitch: Math.asin(Math.max(-1, Math.min(1, -at(1, 2)))) * DEG,
    yaw: Math.atan2(at(0, 2), at(2, 2)) * DEG,
    roll: Math.atan2(at(1, 0), at(1, 1)) * DEG,
  }
}

/**
 * Uni3C's custom trajectory as the original Lattice wrote it (unverified against Uni3C itself):
 * per frame, the camera relative to the first exported frame, in that first camera's axes
 * (x right, y down, z forward). Offsets are normalised by the composition's width, height and
 * 1000 px; zoom is the focal length over the first frame's.
 */
export function uni3cFile({ composition, poses }: CameraTrajectory): CameraFile {
  // A frame range holds at least one frame.
  const first = poses[0] as CameraPose
  const firstWorldToCamera = first.worldToCamera
  return jsonFile({
    traj_type: 'custom',
    custom_trajectory: poses.map((pose) => {
      const relative = mat4.multiply(firstWorldToCamera, pose.cameraToWorld)
      const [x, y, z] = mat4.column(relative, 3)
      return {
        zoom: pose.fy / first.fy,
        x_offset: x / composition.width,
        y_offset: y / composition.height,
        z_offset: z / Z_OFFSET_PIXELS,
        ...yawPitchRoll(relative),
      }
    }),
  })
}
