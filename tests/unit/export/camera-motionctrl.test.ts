import { Vector3 } from 'three'
import { describe, expect, it } from 'vitest'
import { exportCamera } from '../../../shared/export/camera'
import { expectClose, key } from '../engine/helpers'
import {
  RANGE,
  SCENE_POINTS,
  WIDTH,
  easedCameraDocument,
  easedZoom,
  engineCamera,
  enginePixel,
  expectRotation,
  fromFlat3x4,
  oneNodeCameraDocument,
  openCvWorldToCamera,
  rangeFrames,
  rotationRows,
} from './camera-fixtures'

const exportMotionCtrl = (document = easedCameraDocument(), range = RANGE): number[][] => {
  const file = exportCamera(document, 'main', range, 'motionctrl')
  expect(file).toMatchObject({ extension: 'json', mime: 'application/json' })
  return JSON.parse(file.text) as number[][]
}

describe('camera export: MotionCtrl', () => {
  it('is an array of one flattened 3×4 per frame, starting at the identity', () => {
    const poses = exportMotionCtrl()
    expect(poses).toHaveLength(RANGE.end - RANGE.start)
    poses.forEach((pose) => {
      expect(pose).toHaveLength(12)
      pose.forEach((value) => expect(Number.isFinite(value)).toBe(true))
    })
    expectClose(poses[0]!, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], 1e-15)
  })

  it("is the engine's world-to-camera relative to the first frame, translation in composition widths", () => {
    const document = easedCameraDocument()
    const poses = exportMotionCtrl(document)
    const first = openCvWorldToCamera(engineCamera(document, RANGE.start))
    rangeFrames().forEach((frame, i) => {
      const expected = openCvWorldToCamera(engineCamera(document, frame)).multiply(first.clone().invert())
      const e = expected.elements
      const rows = [0, 1, 2].map((r) => [e[r]!, e[4 + r]!, e[8 + r]!, e[12 + r]! / WIDTH])
      expectClose(poses[i]!, rows.flat(), 1e-9)
      expectRotation(rotationRows(fromFlat3x4(poses[i]!)), 1e-12)
    })
  })

  it("projects the scene through the first camera's space onto the engine's pixels", () => {
    const document = easedCameraDocument()
    const poses = exportMotionCtrl(document)
    const first = openCvWorldToCamera(engineCamera(document, RANGE.start))
    rangeFrames().forEach((frame, i) => {
      const pose = fromFlat3x4(poses[i]!)
      const camera = engineCamera(document, frame)
      for (const point of SCENE_POINTS) {
        // Into the first camera's space, measured in composition widths, then through the pose.
        const p = new Vector3(...point).applyMatrix4(first).divideScalar(WIDTH).applyMatrix4(pose)
        const zoom = easedZoom(frame)
        expectClose([(zoom * p.x) / p.z + WIDTH / 2, (zoom * p.y) / p.z + 360], enginePixel(camera, point), 1e-9)
      }
    })
  })

  it("moves like MotionCtrl's own test_camera_L: a camera going left has t_x rising with R = I", () => {
    const document = oneNodeCameraDocument({
      position: { value: [640, 360, -1000], keyframes: [key(0, [640, 360, -1000], { easing: 'quadIn' }), key(20, [128, 360, -1000])] },
    })
    const poses = exportMotionCtrl(document, { start: 0, end: 21 })
    poses.forEach((pose, frame) => {
      // Travelled (written from quadIn) over the composition width.
      const travelled = (512 * (frame / 20) ** 2) / WIDTH
      expectClose(pose, [1, 0, 0, travelled, 0, 1, 0, 0, 0, 0, 1, 0], 1e-12)
    })
    expect(poses[20]![3]).toBeCloseTo(0.4, 12)
  })
})
