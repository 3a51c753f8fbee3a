import { Matrix4, Vector3 } from 'three'
import { type CameraState, cameraAt, projectPoint } from '../../../shared/engine'
import type { LayerInput, ProjectDocument } from '../../../shared/project'
import { documentWith, key } from '../engine/helpers'

/** Frames 3..28: starts inside the first segments and runs past the last keyframe (24). */
export const RANGE = { start: 3, end: 29 }
export const WIDTH = 1280
export const HEIGHT = 720
export const FPS = 16

export const rangeFrames = (range: { start: number; end: number } = RANGE) =>
  Array.from({ length: range.end - range.start }, (_, i) => range.start + i)

/** Zoom of the eased camera, written from the easing's formula (sineInOut from 1000 at 0 to 1600 at 24). */
export function easedZoom(frame: number): number {
  const t = Math.min(frame / 24, 1)
  return 1000 + 600 * ((1 - Math.cos(Math.PI * t)) / 2)
}

/**
 * A two-node camera with every kind of timing: position on bezier handles then a quadInOut
 * preset, an eased point of interest, zoom and roll.
 */
export function easedCameraDocument(): ProjectDocument {
  const camera = {
    id: 'cam',
    kind: 'camera',
    outPoint: 81,
    data: {
      cameraType: 'twoNode',
      zoom: { value: 1000, keyframes: [key(0, 1000, { easing: 'sineInOut' }), key(24, 1600)] },
      pointOfInterest: { value: [640, 360, 0], keyframes: [key(0, [640, 360, 0], { easing: 'cubicOut' }), key(24, [700, 300, 200])] },
    },
    transform: {
      position: {
        value: [400, 300, -1200],
        keyframes: [
          key(0, [400, 300, -1200], { interpolation: 'bezier', outHandle: { speed: 0, influence: 60 } }),
          key(12, [900, 250, -900], { easing: 'quadInOut' }),
          key(24, [700, 420, -1500]),
        ],
      },
      rotation: { value: 0, keyframes: [key(0, 0, { easing: 'easeIn' }), key(24, 20)] },
    },
  } as LayerInput
  return documentWith([camera])
}

/** A one-node camera with the given transform (position defaults to centred, 1000 px back). */
export function oneNodeCameraDocument(transform: Record<string, unknown>, zoom: Record<string, unknown> = { value: 1000 }): ProjectDocument {
  return documentWith([
    { id: 'cam', kind: 'camera', outPoint: 81, data: { zoom }, transform: { position: { value: [640, 360, -1000] }, ...transform } } as LayerInput,
  ])
}

export const engineCamera = (document: ProjectDocument, frame: number): CameraState => cameraAt(document.compositions.main!, frame)

/** Composition-space points around the scene, all in front of every camera of the fixtures. */
export const SCENE_POINTS: [number, number, number][] = [
  [640, 360, 0],
  [100, 80, 300],
  [1200, 650, -200],
  [500, 520, 800],
  [900, 100, 1500],
]

export const enginePixel = (camera: CameraState, point: [number, number, number]) => projectPoint(camera, point).pixel

/** A three.js matrix from row-major nested arrays (any 3×4 or 4×4). */
export function fromRows(rows: number[][]): Matrix4 {
  const [r0 = [], r1 = [], r2 = [], r3 = [0, 0, 0, 1]] = rows
  return new Matrix4().set(...(r0 as [number, number, number, number]), ...(r1 as [number, number, number, number]), ...(r2 as [number, number, number, number]), ...(r3 as [number, number, number, number]))
}

/** A three.js matrix from 12 numbers, a 3×4 flattened row by row (numpy `reshape(3, 4)`). */
export const fromFlat3x4 = (values: number[]) => fromRows([values.slice(0, 4), values.slice(4, 8), values.slice(8, 12)])

/** OpenCV world-to-camera from the engine's OpenGL view matrix, computed with three.js. */
export const openCvWorldToCamera = (camera: CameraState) =>
  new Matrix4().makeScale(1, -1, -1).multiply(new Matrix4().fromArray(camera.viewMatrix))

/** Pinhole projection: camera-space point → pixel with focal lengths and principal point in pixels. */
export function pinhole(worldToCamera: Matrix4, point: readonly number[], fx: number, fy: number, cx: number, cy: number): [number, number] {
  const p = new Vector3(point[0], point[1], point[2]).applyMatrix4(worldToCamera)
  return [(fx * p.x) / p.z + cx, (fy * p.y) / p.z + cy]
}

/** Translation column of a three.js matrix. */
export const translationOf = (m: Matrix4) => new Vector3().setFromMatrixPosition(m).toArray()

/** The 3×3 rotation part of a three.js matrix, row-major. */
export function rotationRows(m: Matrix4): number[][] {
  const e = m.elements
  return [0, 1, 2].map((r) => [0, 1, 2].map((c) => e[c * 4 + r] as number))
}

/** Rows are unit length, mutually perpendicular and right-handed (determinant +1). */
export function expectRotation(rows: number[][], tolerance = 1e-12): void {
  const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * (b[i] as number), 0)
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const d = dot(rows[i]!, rows[j]!)
      if (Math.abs(d - (i === j ? 1 : 0)) > tolerance) throw new Error(`rows ${i}·${j} = ${d}`)
    }
  }
  const det = new Matrix4().set(...(rows[0] as [number, number, number]), 0, ...(rows[1] as [number, number, number]), 0, ...(rows[2] as [number, number, number]), 0, 0, 0, 0, 1).determinant()
  if (Math.abs(det - 1) > tolerance) throw new Error(`determinant ${det}`)
}
