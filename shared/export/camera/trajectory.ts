import { type CameraState, type Mat4, cameraAt, mat4 } from '../../engine'
import { AppError } from '../../errors'
import type { Composition, ProjectDocument, Vec3 } from '../../project'
import type { FrameRange } from '../options'

/**
 * OpenGL eye space (y up, looking down −Z) ↔ OpenCV camera space (x right, y down, looking down
 * +Z): diag(1, −1, −1, 1), its own inverse. OpenCV camera axes are After Effects' camera axes, so
 * composition space (y down) needs no other flip: w2c = diag(1, −1, −1, 1) · view.
 */
const GL_TO_OPENCV: Mat4 = [1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1]

/** The active camera at one frame, with the OpenCV pose and pinhole intrinsics every file is written from. */
export interface CameraPose {
  frame: number
  /** Seconds from the composition's first frame. */
  time: number
  /** The engine's camera, as the renderer draws it. */
  camera: CameraState
  /** Composition space → OpenCV camera space, column-major. */
  worldToCamera: Mat4
  /** OpenCV camera space → composition space (the camera's placement), column-major. */
  cameraToWorld: Mat4
  /**
   * Focal lengths in pixels: both are the After Effects zoom (the distance at which a pixel is a
   * pixel, with square pixels), which the renderer's projection is built from.
   */
  fx: number
  fy: number
}

export interface CameraTrajectory {
  composition: Pick<Composition, 'width' | 'height' | 'fps'>
  range: FrameRange
  /** One pose per frame of the range, in order. */
  poses: CameraPose[]
}

/**
 * The inverse of a rotation + translation as [Rᵀ | −Rᵀt]: unlike a general inverse it keeps the
 * bottom row exactly 0 0 0 1 and the rotation exactly orthonormal as far as R is.
 */
function rigidInverse(m: Mat4): Mat4 {
  const [x, y, z, t] = [0, 1, 2, 3].map((c) => mat4.column(m, c)) as [Vec3, Vec3, Vec3, Vec3]
  const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
  return [x[0], y[0], z[0], 0, x[1], y[1], z[1], 0, x[2], y[2], z[2], 0, -dot(x, t), -dot(y, t), -dot(z, t), 1]
}

function cameraPose(camera: CameraState, fps: number): CameraPose {
  // The engine's world matrix is built rigid (its view matrix is a general inverse of it).
  const cameraToWorld = mat4.multiply(camera.worldMatrix, GL_TO_OPENCV)
  return {
    frame: camera.frame,
    time: camera.frame / fps,
    camera,
    worldToCamera: rigidInverse(cameraToWorld),
    cameraToWorld,
    fx: camera.zoom,
    fy: camera.zoom,
  }
}

/**
 * The composition's active camera at every frame of `range`, evaluated by the engine (so every
 * ease, bezier handle, motion path and parent applies exactly as it renders). A composition
 * without a camera layer gets the engine's default camera.
 */
export function cameraTrajectory(document: ProjectDocument, compositionId: string, range: FrameRange): CameraTrajectory {
  const composition = Object.hasOwn(document.compositions, compositionId) ? document.compositions[compositionId] : undefined
  if (!composition) throw new AppError('NOT_FOUND', `Composition "${compositionId}" is not in this project.`)
  const { start, end } = range
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > composition.frameCount) {
    throw new AppError(
      'BAD_REQUEST',
      `Frame range ${start}–${end} is not within "${composition.name}" (frames 0 to ${composition.frameCount}, end exclusive); choose whole frames with start < end ≤ ${composition.frameCount}.`,
    )
  }
  const poses: CameraPose[] = []
  for (let frame = start; frame < end; frame++) poses.push(cameraPose(cameraAt(composition, frame), composition.fps))
  return { composition, range: { start, end }, poses }
}
