import { flatRows3x4, inUnits, relativeWorldToCamera } from '../matrix-layout'
import type { CameraPose, CameraTrajectory } from '../trajectory'
import { type CameraFile, jsonFile } from './file'

/**
 * TencentARC/MotionCtrl's `examples/camera_poses/*.json`: a JSON array with one entry per frame,
 * each the 12 numbers of a world-to-camera [R|t] (OpenCV axes) flattened row by row, which its
 * inference loads as a [frames, 12] tensor and uses as it is. Its RealEstate10K poses start at
 * the identity, so ours are relative to the first exported frame. MotionCtrl's RealEstate10K poses have no
 * physical scale; translations here are in composition widths (a pan across the whole
 * composition moves 1). It has no intrinsics: zoom changes are not in the file.
 */
export function motionCtrlFile({ composition, poses }: CameraTrajectory): CameraFile {
  // A frame range holds at least one frame.
  const first = poses[0] as CameraPose
  return jsonFile(
    poses.map((pose) => flatRows3x4(inUnits(relativeWorldToCamera(pose.worldToCamera, first.cameraToWorld), composition.width))),
  )
}
