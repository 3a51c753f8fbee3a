import { Euler, Matrix4 } from 'three'
import { describe, expect, it } from 'vitest'
import { exportCamera } from '../../../shared/export/camera'
import type { ProjectDocument } from '../../../shared/project'
import { expectClose, key } from '../engine/helpers'
import { HEIGHT, RANGE, WIDTH, easedCameraDocument, engineCamera, oneNodeCameraDocument, openCvWorldToCamera, rangeFrames } from './camera-fixtures'

interface Uni3cEntry { zoom: number; x_offset: number; y_offset: number; z_offset: number; pitch: number; yaw: number; roll: number }

const exportUni3c = (document: ProjectDocument, range = RANGE): Uni3cEntry[] => {
  const file = exportCamera(document, 'main', range, 'uni3c')
  expect(file).toMatchObject({ extension: 'json', mime: 'application/json' })
  const content = JSON.parse(file.text) as { traj_type: string; custom_trajectory: Uni3cEntry[] }
  expect(content.traj_type).toBe('custom')
  return content.custom_trajectory
}

const DEG = Math.PI / 180

describe('camera export: Uni3C', () => {
  it('has one entry per frame, the first at rest', () => {
    const entries = exportUni3c(easedCameraDocument())
    expect(entries).toHaveLength(RANGE.end - RANGE.start)
    entries.forEach((entry) => expect(Object.keys(entry).sort()).toEqual(['pitch', 'roll', 'x_offset', 'y_offset', 'yaw', 'z_offset', 'zoom']))
    const { zoom, ...rest } = entries[0]!
    expect(zoom).toBe(1)
    expectClose(Object.values(rest), [0, 0, 0, 0, 0, 0], 1e-12)
  })

  it('gives eased travel and zoom relative to the first frame: x by width, y by height, z by 1000 px', () => {
    // Written from the easing formulas: cubicInOut travel, quadOut zoom, both over frames 0–16.
    const travel = (f: number) => {
      const t = Math.min(f / 16, 1)
      return t < 0.5 ? 4 * t ** 3 : 1 - (-2 * t + 2) ** 3 / 2
    }
    const zoomAt = (f: number) => 1000 + 500 * (1 - (1 - Math.min(f / 16, 1)) ** 2)
    const document = oneNodeCameraDocument(
      { position: { value: [640, 360, -1000], keyframes: [key(0, [640, 360, -1000], { easing: 'cubicInOut' }), key(16, [896, 216, -600])] } },
      { value: 1000, keyframes: [key(0, 1000, { easing: 'quadOut' }), key(16, 1500)] },
    )
    const range = { start: 2, end: 20 }
    exportUni3c(document, range).forEach((entry, i) => {
      const f = range.start + i
      const moved = travel(f) - travel(range.start)
      expectClose(
        [entry.zoom, entry.x_offset, entry.y_offset, entry.z_offset, entry.pitch, entry.yaw, entry.roll],
        [zoomAt(f) / zoomAt(range.start), (256 * moved) / WIDTH, (-144 * moved) / HEIGHT, (400 * moved) / 1000, 0, 0, 0],
        1e-9,
      )
    })
  })

  it.each([
    ['rotationX', 'pitch'],
    ['rotationY', 'yaw'],
    ['rotation', 'roll'],
  ] as const)('reads an eased %s of the camera back as its %s', (property, angle) => {
    // sineIn, written out.
    const eased = (t: number) => 1 - Math.cos((t * Math.PI) / 2)
    const document = oneNodeCameraDocument({ [property]: { value: 0, keyframes: [key(0, 0, { easing: 'sineIn' }), key(20, 30)] } })
    const range = { start: 4, end: 22 }
    exportUni3c(document, range).forEach((entry, i) => {
      const f = range.start + i
      const expected = 30 * (eased(Math.min(f / 20, 1)) - eased(range.start / 20))
      for (const each of ['pitch', 'yaw', 'roll'] as const) expect(entry[each]).toBeCloseTo(each === angle ? expected : 0, 9)
      expectClose([entry.x_offset, entry.y_offset, entry.z_offset], [0, 0, 0], 1e-12)
    })
  })

  it("rebuilds the engine's camera relative to the first frame (yaw·pitch·roll, offsets unscaled)", () => {
    const document = easedCameraDocument()
    const entries = exportUni3c(document)
    const first = openCvWorldToCamera(engineCamera(document, RANGE.start))
    rangeFrames().forEach((frame, i) => {
      const { pitch, yaw, roll, x_offset, y_offset, z_offset } = entries[i]!
      // three.js Euler order 'YXZ' is the matrix Ry·Rx·Rz.
      const rebuilt = new Matrix4()
        .makeRotationFromEuler(new Euler(pitch * DEG, yaw * DEG, roll * DEG, 'YXZ'))
        .setPosition(x_offset * WIDTH, y_offset * HEIGHT, z_offset * 1000)
      const expected = first.clone().multiply(openCvWorldToCamera(engineCamera(document, frame)).invert())
      expectClose(rebuilt.elements, expected.elements, 1e-9)
    })
  })
})
