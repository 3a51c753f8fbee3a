import type { Composition } from '../project/composition'
import type { LayerOfKind } from '../project/layers'
import type { Vec3 } from '../project/properties'
import { defaultZoom, zoomToFov } from './camera-rig'
import { valueAt } from './interpolate'
import { compositionMatrices, pointOfInterestAt } from './layer-matrix'
import {
  type Mat4,
  column,
  fromBasis,
  invert,
  multiply,
  perspective,
  rotationToEulerXYZ,
  rotationToQuaternion,
  transformPoint,
  vec3,
} from './mat4'

/**
 * Clip planes in composition pixels. After Effects has no far plane; 1 px to 100 000 px keeps
 * everything a composition can reasonably hold while leaving float32 depth buffers some precision.
 */
export const DEFAULT_NEAR = 1
export const DEFAULT_FAR = 100_000

export interface CameraOptions {
  /** A camera layer to use instead of the active one (the topmost enabled camera in range). */
  cameraId?: string
  near?: number
  far?: number
}

/**
 * One camera at one frame. `viewMatrix` takes composition-space points (pixels, y down, z away)
 * to OpenGL eye space (x right, y up, looking down −Z), and `projectionMatrix` is the matching
 * three.js / OpenGL perspective projection, so `projection · view · point` gives clip
 * coordinates with NDC y up. `worldMatrix = inverse(viewMatrix)` is what a three.js camera's
 * `matrixWorld` would be with the composition as its world; `quaternion` and `rotation` are its
 * rotation (rotation = three.js Euler 'XYZ', degrees).
 */
export interface CameraState {
  /** The camera layer, or null for the default camera of a composition without one. */
  layerId: string | null
  frame: number
  width: number
  height: number
  aspect: number
  /** After Effects zoom, pixels. */
  zoom: number
  /** Vertical angle of view, degrees. */
  fov: number
  /** Horizontal angle of view, degrees. */
  fovX: number
  near: number
  far: number
  /** Camera position in composition space. */
  position: Vec3
  /** World-space point of interest of a two-node camera, else null. */
  pointOfInterest: Vec3 | null
  /** Unit vector the camera looks along, in composition space. */
  direction: Vec3
  worldMatrix: Mat4
  viewMatrix: Mat4
  projectionMatrix: Mat4
  /** projection · view. */
  viewProjectionMatrix: Mat4
  quaternion: [number, number, number, number]
  rotation: Vec3
  depthOfField: { enabled: boolean; focusDistance: number; aperture: number }
}

type CameraLayer = LayerOfKind<'camera'>

/** Flips Y and Z: After Effects camera space (y down, looking +Z) ↔ OpenGL eye space. */
const FLIP_YZ: Mat4 = [1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1]

/**
 * A rigid (rotation + translation) version of a camera's world matrix: parents may scale, but a
 * camera only takes its position and orientation from them (Gram–Schmidt on the axes).
 */
function rigid(world: Mat4): Mat4 {
  const t = column(world, 3)
  let z = vec3.normalize(column(world, 2))
  if (vec3.length(z) === 0) z = [0, 0, 1]
  let x = vec3.normalize(vec3.cross(column(world, 1), z))
  if (vec3.length(x) === 0) x = vec3.normalize(vec3.cross([0, 1, 0], z))
  if (vec3.length(x) === 0) x = [1, 0, 0]
  const y = vec3.normalize(vec3.cross(z, x))
  return fromBasis(x, y, z, t)
}

/** The state of the given camera (or the default camera when `camera` is null) from its world matrix. */
export function cameraState(
  composition: Pick<Composition, 'width' | 'height'>,
  frame: number,
  camera: { layer: CameraLayer; world: Mat4; parentWorld: Mat4 | null } | null,
  options: Omit<CameraOptions, 'cameraId'> = {},
): CameraState {
  const { width, height } = composition
  const near = options.near ?? DEFAULT_NEAR
  const far = options.far ?? DEFAULT_FAR
  const zoom = camera ? valueAt(camera.layer.data.zoom, frame) : defaultZoom(width)
  const aeWorld = camera ? rigid(camera.world) : fromBasis([1, 0, 0], [0, 1, 0], [0, 0, 1], [width / 2, height / 2, -zoom])
  const worldMatrix = multiply(aeWorld, FLIP_YZ)
  const viewMatrix = invert(worldMatrix) as Mat4
  const projectionMatrix = perspective(zoomToFov(zoom, height), width / height, near, far)
  let pointOfInterest: Vec3 | null = null
  if (camera) {
    const local = pointOfInterestAt(camera.layer, frame)
    pointOfInterest = local && (camera.parentWorld ? transformPoint(camera.parentWorld, local) : local)
  }
  return {
    layerId: camera?.layer.id ?? null,
    frame,
    width,
    height,
    aspect: width / height,
    zoom,
    fov: zoomToFov(zoom, height),
    fovX: zoomToFov(zoom, width),
    near,
    far,
    position: column(aeWorld, 3),
    pointOfInterest,
    direction: column(aeWorld, 2),
    worldMatrix,
    viewMatrix,
    projectionMatrix,
    viewProjectionMatrix: multiply(projectionMatrix, viewMatrix),
    quaternion: rotationToQuaternion(worldMatrix),
    rotation: rotationToEulerXYZ(worldMatrix),
    depthOfField: camera ? { ...camera.layer.data.depthOfField } : { enabled: false, focusDistance: zoom, aperture: 0 },
  }
}

/** Whether a camera layer can be the active camera at `frame`: enabled and within its in/out range. */
export function isCameraActive(layer: CameraLayer, frame: number): boolean {
  return layer.visible && frame >= layer.inPoint && frame < layer.outPoint
}

/**
 * The camera of `composition` at `frame`: the layer `options.cameraId`, else the topmost camera
 * layer that is enabled and in range (as in After Effects), else the default camera (zoom
 * width·50/36 at (w/2, h/2, −zoom), looking at the composition's centre). Easing, bezier
 * timing and motion paths of every camera property are applied.
 */
export function cameraAt(composition: Composition, frame: number, options: CameraOptions = {}): CameraState {
  const layers = composition.layers
  const index = layers.findIndex((layer) =>
    options.cameraId === undefined
      ? layer.kind === 'camera' && isCameraActive(layer, frame)
      : layer.kind === 'camera' && layer.id === options.cameraId,
  )
  if (options.cameraId !== undefined && index < 0) {
    throw new Error(`camera layer "${options.cameraId}" is not in composition "${composition.id}"`)
  }
  const layer = layers[index]
  if (!layer || layer.kind !== 'camera') return cameraState(composition, frame, null, options)
  const { worlds } = compositionMatrices(composition, frame)
  const parentIndex = layers.findIndex((each) => each.id === layer.parentId)
  const parentWorld = parentIndex >= 0 ? (worlds[parentIndex] as Mat4) : null
  return cameraState(composition, frame, { layer, world: worlds[index] as Mat4, parentWorld }, options)
}

/** `cameraAt` for every frame from `start` (default 0) to `end` (exclusive, default frameCount). */
export function cameraTrajectory(
  composition: Composition,
  options: CameraOptions & { start?: number; end?: number } = {},
): CameraState[] {
  const { start = 0, end = composition.frameCount, ...rest } = options
  const frames: CameraState[] = []
  for (let frame = start; frame < end; frame++) frames.push(cameraAt(composition, frame, rest))
  return frames
}

/**
 * Where a composition-space point appears: `pixel` in composition pixels (y down), `ndc` in
 * [−1, 1]³ when visible, and `depth`, the distance in front of the camera along its axis
 * (negative when behind it).
 */
export function projectPoint(camera: CameraState, point: readonly number[]): { pixel: [number, number]; ndc: Vec3; depth: number } {
  const eye = transformPoint(camera.viewMatrix, point)
  const ndc = transformPoint(camera.viewProjectionMatrix, point)
  return {
    pixel: [((ndc[0] + 1) / 2) * camera.width, ((1 - ndc[1]) / 2) * camera.height],
    ndc,
    depth: -eye[2],
  }
}
