import type { Matrix4 } from 'three'
import { describe, expect, it } from 'vitest'
import { exportCamera } from '../../../shared/export/camera'
import type { CameraFormat } from '../../../shared/export/options'
import type { LayerInput, ProjectDocument } from '../../../shared/project'
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
  fromFlat3x4,
  openCvWorldToCamera,
  pinhole,
  rangeFrames,
  rotationRows,
} from './camera-fixtures'

/**
 * How CameraCtrl's inference.py and VideoX-Fun's process_pose_file read a pose file:
 * `f.readlines()`, skip the first line, `line.strip().split(' ')`, `float` each field.
 */
function readPoseFile(text: string): number[][] {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? []
  return lines.slice(1).map((line) =>
    line.trim().split(' ').map((field) => {
      // Python's float() refuses what Number() would read as 0 or NaN.
      if (!/^-?\d+(\.\d+)?(e[-+]?\d+)?$/.test(field)) throw new Error(`float() cannot read "${field}"`)
      return Number(field)
    }),
  )
}

const exportPoses = (format: CameraFormat, document = easedCameraDocument(), range = RANGE) => {
  const file = exportCamera(document, 'main', range, format)
  expect(file).toMatchObject({ extension: 'txt', mime: 'text/plain' })
  return { text: file.text, entries: readPoseFile(file.text) }
}

/** The 3×4 world-to-camera the readers build: `np.array(entry[7:]).reshape(3, 4)`. */
const worldToCameraOf = (entry: number[]) => fromFlat3x4(entry.slice(7))

/** The engine's OpenCV world-to-camera with the world measured in composition widths. */
function engineWorldToCameraInWidths(document: ProjectDocument, frame: number): Matrix4 {
  const m = openCvWorldToCamera(engineCamera(document, frame))
  for (const i of [12, 13, 14]) m.elements[i]! /= WIDTH
  return m
}

/**
 * VideoX-Fun's process_pose_file turning file intrinsics into pixels for a `width`×`height`
 * sample, with its default original pose size 1280×720 (ported line by line).
 */
function videoXFunPixelIntrinsics(entry: number[], width: number, height: number): [number, number, number, number] {
  let [fx, fy] = [entry[1]!, entry[2]!]
  const [cx, cy] = [entry[3]!, entry[4]!]
  const sampleRatio = width / height
  const poseRatio = 1280 / 720
  if (poseRatio > sampleRatio) fx = (height * poseRatio * fx) / width
  else fy = ((width / poseRatio) * fy) / height
  return [fx * width, fy * height, cx * width, cy * height]
}

describe.each(['cameractrl', 'wan-fun'] as const)('camera export: %s pose file', (format) => {
  it('has a first line the readers skip, then one line of 19 numbers per frame', () => {
    const { text, entries } = exportPoses(format)
    expect(text.split('\n')[0]).toMatch(/^# /)
    expect(text.endsWith('\n') && !text.endsWith('\n\n')).toBe(true)
    expect(entries).toHaveLength(RANGE.end - RANGE.start)
    entries.forEach((entry, i) => {
      expect(entry).toHaveLength(19)
      // RealEstate10K timestamps are microseconds; the distortion slots are 0.
      expect(entry[0]).toBe(Math.round(((RANGE.start + i) / FPS) * 1e6))
      expect([entry[3], entry[4], entry[5], entry[6]]).toEqual([0.5, 0.5, 0, 0])
    })
  })

  it("holds the engine's world-to-camera (OpenCV axes, composition widths) at eased keyframes and between them", () => {
    const document = easedCameraDocument()
    const { entries } = exportPoses(format, document)
    rangeFrames().forEach((frame, i) => {
      const w2c = worldToCameraOf(entries[i]!)
      expectClose(w2c.elements, engineWorldToCameraInWidths(document, frame).elements, 1e-12)
      expectRotation(rotationRows(w2c), 1e-12)
    })
  })

  it("projects the scene with the file's intrinsics and pose onto the engine's pixels", () => {
    const document = easedCameraDocument()
    const { entries } = exportPoses(format, document)
    rangeFrames().forEach((frame, i) => {
      const entry = entries[i]!
      // Each reader's own way from normalised intrinsics to pixels, at the composition's size.
      const [fx, fy, cx, cy] =
        format === 'cameractrl'
          ? [entry[1]! * WIDTH, entry[2]! * HEIGHT, entry[3]! * WIDTH, entry[4]! * HEIGHT]
          : videoXFunPixelIntrinsics(entry, WIDTH, HEIGHT)
      expect(fx).toBeCloseTo(easedZoom(frame), 9)
      expect(fy).toBeCloseTo(easedZoom(frame), 9)
      const camera = engineCamera(document, frame)
      for (const point of SCENE_POINTS) {
        // The file's world is measured in composition widths.
        const inWidths = point.map((v) => v / WIDTH)
        expectClose(pinhole(worldToCameraOf(entry), inWidths, fx, fy, cx, cy), enginePixel(camera, point), 1e-9)
      }
    })
  })

  it('respects the range: a later range gives the same lines for the frames both hold', () => {
    const whole = exportPoses(format, easedCameraDocument(), { start: 0, end: 30 }).entries
    const part = exportPoses(format, easedCameraDocument(), { start: 10, end: 14 }).entries
    expect(part).toEqual(whole.slice(10, 14))
  })
})

describe('camera export: intrinsics for each reader', () => {
  const zoom = 1500
  const documentSized = (width: number, height: number) =>
    documentWith(
      [{ id: 'cam', kind: 'camera', outPoint: 81, data: { zoom: { value: zoom } }, transform: { position: { value: [width / 2, height / 2, -zoom] } } } as LayerInput],
      { width, height },
    )

  it.each([
    [1280, 720],
    [768, 1024],
    [1536, 512],
    [1024, 1024],
  ])('VideoX-Fun recovers the focal length of a %i×%i composition generated at its size', (width, height) => {
    const [entry] = exportPoses('wan-fun', documentSized(width, height), { start: 0, end: 1 }).entries
    const [fx, fy, cx, cy] = videoXFunPixelIntrinsics(entry!, width, height)
    expectClose([fx, fy, cx, cy], [zoom, zoom, width / 2, height / 2], 1e-12)
  })

  it('CameraCtrl lines hold the intrinsics normalised by the composition size', () => {
    const [entry] = exportPoses('cameractrl', documentSized(768, 1024), { start: 0, end: 1 }).entries
    expectClose(entry!.slice(1, 5), [zoom / 768, zoom / 1024, 0.5, 0.5], 1e-15)
  })
})
