import { Matrix4 } from 'three'
import { describe, expect, it } from 'vitest'
import { defaultZoom } from '../../../shared/engine'
import { exportCamera } from '../../../shared/export/camera'
import { documentWith, expectClose } from '../engine/helpers'
import {
  FPS,
  HEIGHT,
  RANGE,
  SCENE_POINTS,
  WIDTH,
  easedCameraDocument,
  easedZoom,
  engineCamera,
  enginePixel,
  expectRotation,
  fromRows,
  oneNodeCameraDocument,
  openCvWorldToCamera,
  pinhole,
  rangeFrames,
  rotationRows,
  translationOf,
} from './camera-fixtures'

interface MatricesFrame {
  frame: number
  timestamp: number
  c2w: number[][]
  w2c: number[][]
  view: number[][]
  projection: number[][]
  position: number[]
  rotation: number[]
  fov: number
  fovX: number
  fx: number
  fy: number
  intrinsics: { fx: number; fy: number; cx: number; cy: number }
}
interface MatricesFileContent {
  metadata: { width: number; height: number; fps: number; frames: number; start: number; conventions: string }
  frames: MatricesFrame[]
}

const exportMatrices = (document = easedCameraDocument(), range = RANGE): MatricesFileContent => {
  const file = exportCamera(document, 'main', range, 'matrices')
  expect(file).toMatchObject({ extension: 'json', mime: 'application/json' })
  return JSON.parse(file.text) as MatricesFileContent
}

/** Row-major nested arrays → flat column-major, to compare with the engine's matrices. */
const columnMajor = (rows: number[][]) => fromRows(rows).elements

describe('camera export: matrices', () => {
  it('writes one frame per frame of the range, with its time and the composition settings', () => {
    const { metadata, frames } = exportMatrices()
    expect(metadata).toMatchObject({ width: WIDTH, height: HEIGHT, fps: FPS, frames: 26, start: 3 })
    expect(metadata.conventions).toMatch(/OpenCV/)
    expect(frames.map((f) => f.frame)).toEqual(rangeFrames())
    frames.forEach((f) => expect(f.timestamp).toBeCloseTo(f.frame / FPS, 15))
    expect(exportMatrices(easedCameraDocument(), { start: 0, end: 1 }).frames.map((f) => f.frame)).toEqual([0])
    expect(exportMatrices(easedCameraDocument(), { start: 80, end: 81 }).frames.map((f) => f.frame)).toEqual([80])
  })

  it("holds the engine's camera at eased keyframes and between them", () => {
    const document = easedCameraDocument()
    for (const f of exportMatrices(document).frames) {
      const camera = engineCamera(document, f.frame)
      expectClose(columnMajor(f.view), camera.viewMatrix, 1e-12)
      expectClose(columnMajor(f.projection), camera.projectionMatrix, 1e-12)
      expectClose(f.position, camera.position, 1e-12)
      expectClose(f.rotation, camera.rotation, 1e-12)
      expect(f.fov).toBeCloseTo(camera.fov, 12)
      expect(f.fovX).toBeCloseTo(camera.fovX, 12)
      // Zoom follows its sineInOut ease (formula written out here); it is the focal length in pixels.
      expect(f.fx).toBeCloseTo(easedZoom(f.frame), 9)
      expect(f.fy).toBeCloseTo(easedZoom(f.frame), 9)
      expect(f.intrinsics.fx).toBeCloseTo(easedZoom(f.frame) / WIDTH, 12)
      expect(f.intrinsics.fy).toBeCloseTo(easedZoom(f.frame) / HEIGHT, 12)
      expect([f.intrinsics.cx, f.intrinsics.cy]).toEqual([0.5, 0.5])
      // The camera's centre in c2w is its position.
      expectClose(translationOf(fromRows(f.c2w)), camera.position, 1e-12)
    }
    const at = (frame: number) => exportMatrices(document).frames.find((f) => f.frame === frame)!
    // At the keyframes the position is the keyframe's value.
    expectClose(at(12).position, [900, 250, -900], 1e-9)
    expectClose(at(24).position, [700, 420, -1500], 1e-9)
    expectClose(at(28).position, [700, 420, -1500], 1e-9)
    // Between them it is eased (speed 0 leaving frame 0): behind where constant speed would be.
    const linearX = 400 + (500 * 6) / 12
    expect(at(6).position[0]).toBeLessThan(linearX - 10)
  })

  it('gives w2c = diag(1,−1,−1,1)·view, inverting c2w, with orthonormal rotations', () => {
    const document = easedCameraDocument()
    for (const f of exportMatrices(document).frames) {
      const w2c = fromRows(f.w2c)
      expectClose(w2c.elements, openCvWorldToCamera(engineCamera(document, f.frame)).elements, 1e-12)
      expectClose(fromRows(f.c2w).multiply(w2c).elements, new Matrix4().elements, 1e-12)
      expectClose(f.w2c[3]!, [0, 0, 0, 1], 0)
      expectClose(f.c2w[3]!, [0, 0, 0, 1], 0)
      expectRotation(rotationRows(w2c))
      expectRotation(rotationRows(fromRows(f.c2w)))
    }
  })

  it("projects scene points with the OpenCV intrinsics and w2c onto the engine's pixels", () => {
    const document = easedCameraDocument()
    for (const f of exportMatrices(document).frames) {
      const camera = engineCamera(document, f.frame)
      const { fx, fy, cx, cy } = f.intrinsics
      for (const point of SCENE_POINTS) {
        expectClose(pinhole(fromRows(f.w2c), point, fx * WIDTH, fy * HEIGHT, cx * WIDTH, cy * HEIGHT), enginePixel(camera, point), 1e-9)
      }
      // A two-node camera keeps its point of interest at the centre of the picture.
      expectClose(pinhole(fromRows(f.w2c), camera.pointOfInterest!, f.fx, f.fy, WIDTH / 2, HEIGHT / 2), [WIDTH / 2, HEIGHT / 2], 1e-9)
    }
  })

  it('uses OpenCV axes: composition y down is camera y down, and the camera looks along +z', () => {
    // Unrotated, centred, 1000 px in front of the composition plane, zoom 1000.
    const [f] = exportMatrices(oneNodeCameraDocument({}), { start: 0, end: 1 }).frames
    expect(f!.w2c).toEqual([
      [1, 0, 0, -640],
      [0, 1, 0, -360],
      [0, 0, 1, 1000],
      [0, 0, 0, 1],
    ])
    // 100 px below the centre on the zoom plane: 100 px below the picture's centre.
    expectClose(pinhole(fromRows(f!.w2c), [640, 460, 0], f!.fx, f!.fy, 640, 360), [640, 460], 1e-12)
  })

  it("uses the engine's default camera when the composition has none", () => {
    const zoom = defaultZoom(WIDTH)
    const { frames } = exportMatrices(documentWith([]), { start: 0, end: 3 })
    expect(frames).toHaveLength(3)
    for (const f of frames) {
      expectClose(f.w2c.flat(), [1, 0, 0, -640, 0, 1, 0, -360, 0, 0, 1, zoom, 0, 0, 0, 1], 1e-12)
      expect(f.fx).toBeCloseTo(zoom, 9)
      // The composition plane fills the picture exactly.
      expectClose(pinhole(fromRows(f.w2c), [0, 0, 0], f.fx, f.fy, 640, 360), [0, 0], 1e-9)
      expectClose(pinhole(fromRows(f.w2c), [1280, 720, 0], f.fx, f.fy, 640, 360), [1280, 720], 1e-9)
    }
  })

  it('refuses an unknown composition or a range outside the composition', () => {
    const document = easedCameraDocument()
    expect(() => exportCamera(document, 'nope', RANGE, 'matrices')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }))
    expect(() => exportCamera(document, 'main', { start: 0, end: 82 }, 'matrices')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }))
    expect(() => exportCamera(document, 'main', { start: 5, end: 5 }, 'cameractrl')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }))
  })
})
