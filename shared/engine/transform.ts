import type { Vec3 } from '../project/properties'
import type { Transform } from '../project/transform'
import { valueAt } from './interpolate'
import { type Mat4, compose, identity, multiply, rotationX, rotationY, rotationZ, scaling, translation } from './mat4'

/**
 * Layer transforms in composition space, After Effects' conventions: pixels, x right, y down,
 * z away from the viewer (a right-handed frame), so a positive Z rotation turns clockwise on
 * screen. Matrices are column-major 4×4 (mat4.ts).
 */

/** A transform with every property resolved at one frame (units as in the schema). */
export interface TransformValues {
  anchor: Vec3
  position: Vec3
  /** Percent per axis. */
  scale: Vec3
  /** Z rotation, degrees. */
  rotation: number
  rotationX: number
  rotationY: number
  /** X, Y, Z degrees. */
  orientation: Vec3
  /** Percent, 0..100. */
  opacity: number
}

/** Resolves every transform property at `frame`; position follows its motion path. */
export function transformAt(transform: Transform, frame: number): TransformValues {
  return {
    anchor: valueAt(transform.anchor, frame),
    position: valueAt(transform.position, frame, { spatial: true }),
    scale: valueAt(transform.scale, frame),
    rotation: valueAt(transform.rotation, frame),
    rotationX: valueAt(transform.rotationX, frame),
    rotationY: valueAt(transform.rotationY, frame),
    orientation: valueAt(transform.orientation, frame),
    opacity: valueAt(transform.opacity, frame),
  }
}

/** Orientation then X, Y, Z rotation, as one matrix (the rotation part of a 3D layer). */
export function rotationMatrix(values: Pick<TransformValues, 'rotation' | 'rotationX' | 'rotationY' | 'orientation'>): Mat4 {
  const [ox, oy, oz] = values.orientation
  return compose(
    rotationX(ox),
    rotationY(oy),
    rotationZ(oz),
    rotationX(values.rotationX),
    rotationY(values.rotationY),
    rotationZ(values.rotation),
  )
}

/**
 * Layer space → parent space. A point is moved by −anchor, scaled, rotated (Z, then Y, then X
 * rotation, then orientation Z, Y, X) and moved to position, the order After Effects uses:
 *   M = T(position) · Rx(or.x) · Ry(or.y) · Rz(or.z) · Rx(rx) · Ry(ry) · Rz(rz) · S(scale / 100) · T(−anchor)
 * 2D layers ignore every z component, X/Y rotation and orientation.
 */
export function localMatrix(values: TransformValues, threeD: boolean): Mat4 {
  const [ax, ay, az] = values.anchor
  const [px, py, pz] = values.position
  const [sx, sy, sz] = values.scale
  if (!threeD) {
    return compose(translation(px, py, 0), rotationZ(values.rotation), scaling(sx / 100, sy / 100, 1), translation(-ax, -ay, 0))
  }
  return compose(translation(px, py, pz), rotationMatrix(values), scaling(sx / 100, sy / 100, sz / 100), translation(-ax, -ay, -az))
}

/**
 * World (composition space) matrices: world = parent's world × local, up the parent chain.
 * Parents outside their in/out range still move their children, as in After Effects. A parent
 * id that is missing, or a cycle (which the schema refuses anyway), ends the chain there.
 */
export function worldMatrices(layers: readonly { id: string; parentId: string | null }[], locals: readonly Mat4[]): Mat4[] {
  const indexById = new Map(layers.map((layer, index) => [layer.id, index]))
  const worlds: (Mat4 | undefined)[] = new Array(layers.length)
  const visiting = new Set<number>()
  const worldOf = (index: number): Mat4 => {
    const done = worlds[index]
    if (done) return done
    const local = locals[index] ?? identity()
    const parentIndex = indexById.get(layers[index]?.parentId ?? '')
    visiting.add(index)
    const world =
      parentIndex === undefined || parentIndex === index || visiting.has(parentIndex)
        ? local
        : multiply(worldOf(parentIndex), local)
    visiting.delete(index)
    worlds[index] = world
    return world
  }
  return layers.map((_, index) => worldOf(index))
}
