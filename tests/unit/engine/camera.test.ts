import { Matrix4, PerspectiveCamera, Quaternion, Vector3 } from 'three'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { LayerInput } from '../../../shared/project'
import { cameraAt, cameraTrajectory, defaultZoom, fovToZoom, projectPoint, zoomToFov } from '../../../shared/engine'
import { documentWith, expectClose, key } from './helpers'

const camera = (data: Record<string, unknown>, position: [number, number, number], extra: Partial<LayerInput> = {}): LayerInput =>
  ({ id: 'cam', kind: 'camera', outPoint: 81, data, transform: { position: { value: position } }, ...extra }) as LayerInput

describe('zoom and field of view', () => {
  it('converts zoom to the vertical angle of view for the composition height', () => {
    // Zoom = half the height: 45° half-angle.
    expect(zoomToFov(360, 720)).toBeCloseTo(90, 12)
    expect(fovToZoom(90, 720)).toBeCloseTo(360, 9)
    expect(fovToZoom(zoomToFov(1234, 1080), 1080)).toBeCloseTo(1234, 9)
    // After Effects' 50 mm preset on a 1920-wide composition: zoom 2666.7.
    expect(defaultZoom(1920)).toBeCloseTo(2666.667, 3)
  })
})

describe('cameraAt', () => {
  it('uses the default camera when there is none: the composition plane fills the view', () => {
    const comp = documentWith([]).compositions.main!
    const state = cameraAt(comp, 0)
    expect(state.layerId).toBeNull()
    expectClose(state.position, [640, 360, -defaultZoom(1280)])
    expectClose(projectPoint(state, [0, 0, 0]).pixel, [0, 0], 1e-9)
    expectClose(projectPoint(state, [1280, 720, 0]).pixel, [1280, 720], 1e-9)
  })

  it('projects known points of a one-node camera', () => {
    const comp = documentWith([camera({ zoom: { value: 1000 } }, [640, 360, -1000])]).compositions.main!
    const state = cameraAt(comp, 0)
    // On the zoom plane a pixel is a pixel; twice as far, half as big.
    expectClose(projectPoint(state, [740, 360, 0]).pixel, [740, 360], 1e-9)
    expectClose(projectPoint(state, [740, 410, 1000]).pixel, [690, 385], 1e-9)
    expect(projectPoint(state, [740, 410, 1000]).depth).toBeCloseTo(2000, 9)
    expect(state.fov).toBeCloseTo(2 * Math.atan(360 / 1000) * (180 / Math.PI), 12)
  })

  it('aims a two-node camera at its point of interest', () => {
    // From the right of the scene looking left (−X): the camera's right is +Z (away).
    const comp = documentWith([
      camera({ cameraType: 'twoNode', zoom: { value: 1000 }, pointOfInterest: { value: [640, 360, 0] } }, [1640, 360, 0]),
    ]).compositions.main!
    const state = cameraAt(comp, 0)
    expectClose(state.direction, [-1, 0, 0])
    expectClose(projectPoint(state, [640, 360, 100]).pixel, [740, 360], 1e-9)
    expectClose(projectPoint(state, [640, 300, 0]).pixel, [640, 300], 1e-9)
    expectClose(state.pointOfInterest!, [640, 360, 0])
  })

  it('matches a three.js PerspectiveCamera with the same matrices', () => {
    const comp = documentWith([
      camera({ cameraType: 'twoNode', zoom: { value: 850 }, pointOfInterest: { value: [500, 300, 200] } }, [900, 100, -700], {
        transform: { position: { value: [900, 100, -700] }, rotation: { value: 15 } },
      }),
    ]).compositions.main!
    const state = cameraAt(comp, 0, { near: 5, far: 50_000 })
    const three = new PerspectiveCamera(state.fov, state.aspect, 5, 50_000)
    expectClose(state.projectionMatrix, three.projectionMatrix.elements, 1e-12)
    const world = new Matrix4().fromArray(state.worldMatrix)
    three.matrixWorld.copy(world)
    three.matrixWorldInverse.copy(world).invert()
    for (const p of [[500, 300, 200], [0, 0, 0], [1280, 720, 300]]) {
      const v = new Vector3(...p).project(three)
      expectClose(projectPoint(state, p).ndc, [v.x, v.y, v.z], 1e-9)
    }
    const q = new Quaternion().setFromRotationMatrix(world)
    const sign = Math.sign(q.w * state.quaternion[3]) || 1
    expectClose(state.quaternion.map((c) => c * sign), [q.x, q.y, q.z, q.w], 1e-9)
    // The point of interest is straight ahead.
    expectClose(projectPoint(state, [500, 300, 200]).ndc.slice(0, 2), [0, 0], 1e-9)
  })

  it('eases camera moves instead of interpolating linearly (the original export’s defect)', () => {
    const comp = documentWith([
      {
        id: 'cam', kind: 'camera', outPoint: 81, data: { zoom: { value: 1000 } },
        transform: { position: { value: [0, 0, 0], keyframes: [key(0, [0, 0, -1000], { easing: 'quadIn' }), key(10, [100, 0, -1000])] } },
      },
    ]).compositions.main!
    expect(cameraAt(comp, 5).position[0]).toBeCloseTo(25, 12)
    const trajectory = cameraTrajectory(comp, { end: 11 })
    expect(trajectory).toHaveLength(11)
    expect(trajectory.map((c) => c.position[0])).toEqual(Array.from({ length: 11 }, (_, f) => (f < 10 ? 100 * (f / 10) ** 2 : 100)))
  })

  it('follows a parent and animates zoom with bezier timing', () => {
    const comp = documentWith([
      {
        id: 'cam', kind: 'camera', outPoint: 81, parentId: 'rig',
        data: { zoom: { value: 1000, keyframes: [key(0, 1000, { interpolation: 'bezier', outHandle: { speed: 0, influence: 50 } }), key(12, 1800)] } },
        transform: { position: { value: [0, 0, -1000] } },
      },
      { id: 'rig', kind: 'null', outPoint: 81, threeD: true, transform: { position: { value: [640, 360, 0] } } },
    ]).compositions.main!
    const state = cameraAt(comp, 0.5625 * 12)
    expect(state.zoom).toBeCloseTo(1000 + 0.375 * 800, 9)
    expectClose(state.position, [640, 360, -1000])
  })

  it('uses the topmost enabled camera in range, or the one asked for', () => {
    const comp = documentWith([
      camera({}, [1, 2, -3], { id: 'off', visible: false }),
      camera({}, [4, 5, -6], { id: 'later', inPoint: 10 }),
      camera({}, [7, 8, -9], { id: 'always' }),
    ]).compositions.main!
    expect(cameraAt(comp, 0).layerId).toBe('always')
    expect(cameraAt(comp, 10).layerId).toBe('later')
    expect(cameraAt(comp, 0, { cameraId: 'off' }).position).toEqual([1, 2, -3])
    expect(() => cameraAt(comp, 0, { cameraId: 'nope' })).toThrow(/nope/)
  })

  it('view matrices are rigid and invert the world matrix for any two-node camera', () => {
    const coord = fc.double({ min: -5000, max: 5000, noNaN: true })
    const point = fc.tuple(coord, coord, coord)
    fc.assert(
      fc.property(point, point, fc.double({ min: 50, max: 10_000, noNaN: true }), (position, target, zoom) => {
        const comp = documentWith([
          camera({ cameraType: 'twoNode', zoom: { value: zoom }, pointOfInterest: { value: target } }, position),
        ]).compositions.main!
        const state = cameraAt(comp, 0)
        const identity = new Matrix4().fromArray(state.viewMatrix).multiply(new Matrix4().fromArray(state.worldMatrix))
        expectClose(identity.elements, new Matrix4().elements, 1e-6)
        const [qx, qy, qz, qw] = state.quaternion
        expect(Math.hypot(qx, qy, qz, qw)).toBeCloseTo(1, 9)
        // Unless the target coincides with the camera, it projects to the centre of the view.
        if (Math.hypot(target[0] - position[0], target[1] - position[1], target[2] - position[2]) > 1e-3) {
          const eye = projectPoint(state, target)
          expect(eye.depth).toBeGreaterThan(0)
          expectClose(eye.ndc.slice(0, 2), [0, 0], 1e-6)
        }
      }),
      { numRuns: 300 },
    )
  })
})
