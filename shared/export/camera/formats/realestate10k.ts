import { flatRows3x4, inUnits } from '../matrix-layout'
import type { CameraPose, CameraTrajectory } from '../trajectory'
import { type CameraFile, textFile } from './file'

/** Normalised pinhole intrinsics: focal lengths as fractions of a reference width and height, principal point likewise. */
interface NormalisedIntrinsics {
  fx: number
  fy: number
  cx: number
  cy: number
}

/**
 * RealEstate10K camera text, as hehao13/CameraCtrl and aigc-apps/VideoX-Fun read it: the first
 * line is skipped unread (a video URL in the dataset, a description here), then one line per frame
 * `timestamp fx fy cx cy 0 0 r00 r01 r02 t0 r10 r11 r12 t1 r20 r21 r22 t2` separated by single
 * spaces (the readers split on ' '). The timestamp is in microseconds, as in the dataset (readers
 * ignore it); the two zeros are unused distortion slots; the 3×4 is world-to-camera in OpenCV
 * axes with the world measured in composition widths (readers make the poses relative to the
 * first line themselves, and the dataset's poses have no physical scale).
 */
export function realEstate10kFile(
  { composition, range, poses }: CameraTrajectory,
  intrinsicsOf: (pose: CameraPose) => NormalisedIntrinsics,
): CameraFile {
  const { width, height, fps } = composition
  const header = `# Lattice camera trajectory: ${width}x${height} at ${fps} fps, frames ${range.start}-${range.end - 1}; world-to-camera in OpenCV axes, translation in composition widths`
  const lines = poses.map((pose) => {
    const { fx, fy, cx, cy } = intrinsicsOf(pose)
    const timestamp = Math.round(pose.time * 1e6)
    return [timestamp, fx, fy, cx, cy, 0, 0, ...flatRows3x4(inUnits(pose.worldToCamera, width))].map(String).join(' ')
  })
  return textFile([header, ...lines])
}
