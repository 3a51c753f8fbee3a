import { rowMajor } from '../matrix-layout'
import type { CameraTrajectory } from '../trajectory'
import { type CameraFile, jsonFile } from './file'

const CONVENTIONS =
  'World: composition space in pixels (x right, y down, z away from the viewer, origin at the top-left corner). ' +
  'c2w/w2c: OpenCV camera axes (x right, y down, z forward), 4x4 row-major, w2c maps world to camera. ' +
  'view/projection: the renderer\'s OpenGL matrices (eye y up, looking down -z; NDC y up), 4x4 row-major; w2c = diag(1,-1,-1,1) * view. ' +
  'Pixels: continuous coordinates, (0,0) the top-left corner of the image, u = fx*x/z + cx*width, v = fy*y/z + cy*height. ' +
  'fov/fovX: vertical/horizontal angle of view in degrees; rotation: three.js Euler XYZ of the OpenGL camera in degrees.'

/** Everything about the camera at every frame: both pose conventions, the renderer's matrices and the intrinsics. */
export function matricesFile({ composition, range, poses }: CameraTrajectory): CameraFile {
  const { width, height, fps } = composition
  return jsonFile({
    metadata: { width, height, fps, frames: poses.length, start: range.start, conventions: CONVENTIONS },
    frames: poses.map(({ frame, time, camera, worldToCamera, cameraToWorld, fx, fy }) => ({
      frame,
      timestamp: time,
      c2w: rowMajor(cameraToWorld),
      w2c: rowMajor(worldToCamera),
      view: rowMajor(camera.viewMatrix),
      projection: rowMajor(camera.projectionMatrix),
      position: camera.position,
      rotation: camera.rotation,
      fov: camera.fov,
      fovX: camera.fovX,
      fx,
      fy,
      intrinsics: { fx: fx / width, fy: fy / height, cx: 0.5, cy: 0.5 },
    })),
  })
}
