import type { CameraTrajectory } from '../trajectory'
import type { CameraFile } from './file'
import { realEstate10kFile } from './realestate10k'

/** The aspect ratio VideoX-Fun's `process_pose_file` assumes every pose file's intrinsics describe (1280×720). */
const POSE_ASPECT = 16 / 9

/**
 * aigc-apps/VideoX-Fun's camera pose files (`asset/*.txt`, read by `process_pose_file` for Wan
 * Fun Camera): RealEstate10K text. VideoX-Fun's reader takes the intrinsics to be normalised by
 * a 1280×720 video that was centre-cropped to the size it generates at, and its nodes and
 * examples leave that default; so they are normalised here by the smallest 16:9 frame holding
 * the composition, which makes the reader recover the composition's focal length in pixels when
 * it generates at the composition's aspect ratio.
 */
export function wanFunFile(trajectory: CameraTrajectory): CameraFile {
  const { width, height } = trajectory.composition
  const poseWidth = Math.max(width, height * POSE_ASPECT)
  const poseHeight = poseWidth / POSE_ASPECT
  return realEstate10kFile(trajectory, ({ fx, fy }) => ({ fx: fx / poseWidth, fy: fy / poseHeight, cx: 0.5, cy: 0.5 }))
}
