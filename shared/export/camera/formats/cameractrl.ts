import type { CameraTrajectory } from '../trajectory'
import type { CameraFile } from './file'
import { realEstate10kFile } from './realestate10k'

/**
 * hehao13/CameraCtrl's pose files (`assets/pose_files/*.txt`): RealEstate10K text with the
 * intrinsics normalised by the composition's width and height. CameraCtrl's inference assumes
 * the poses came from a 1280×720 video unless told otherwise: pass
 * `--original_pose_width`/`--original_pose_height` with the composition's size.
 */
export function cameraCtrlFile(trajectory: CameraTrajectory): CameraFile {
  const { width, height } = trajectory.composition
  return realEstate10kFile(trajectory, ({ fx, fy }) => ({ fx: fx / width, fy: fy / height, cx: 0.5, cy: 0.5 }))
}
