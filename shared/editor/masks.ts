/** Mask shapes and edits: boxes around content, rectangle and ellipse paths, fitting, add and delete. */
import type { Layer } from '../project/layers'
import type { ProjectDocument } from '../project/schema'
import { type BezierPath, type Mask, maskSchema } from '../project/masks'
import { newId } from './ids'

export interface Bounds {
  x: number
  y: number
  width: number
  height: number
}

/**
 * What the layer draws, in its own space, when that is known without loading anything:
 * solids and nested compositions span (0, 0)–(width, height). Null otherwise (text, media,
 * shapes), for callers to fall back to the composition's frame.
 */
export function layerContentBounds(layer: Layer, doc?: Pick<ProjectDocument, 'compositions'>): Bounds | null {
  if (layer.kind === 'solid') return { x: 0, y: 0, width: layer.data.width, height: layer.data.height }
  if (layer.kind === 'nestedComposition') {
    const nested = doc?.compositions[layer.data.compositionId]
    if (nested) return { x: 0, y: 0, width: nested.width, height: nested.height }
  }
  return null
}

/** A closed four-corner path, clockwise from the top left. */
export function rectanglePath(b: Bounds): BezierPath {
  const { x, y, width: w, height: h } = b
  const corner = (px: number, py: number) => ({ point: [px, py] as [number, number], inTangent: [0, 0] as [number, number], outTangent: [0, 0] as [number, number] })
  return { closed: true, vertices: [corner(x, y), corner(x + w, y), corner(x + w, y + h), corner(x, y + h)] }
}

/** Bezier circle constant: tangent length per radius for a quarter arc. */
const KAPPA = 0.5522847498

/** A closed four-vertex ellipse filling `b`, clockwise from the top. */
export function ellipsePath(b: Bounds): BezierPath {
  const rx = b.width / 2
  const ry = b.height / 2
  const cx = b.x + rx
  const cy = b.y + ry
  const kx = rx * KAPPA
  const ky = ry * KAPPA
  const v = (px: number, py: number, inT: [number, number], outT: [number, number]) => ({ point: [px, py] as [number, number], inTangent: inT, outTangent: outT })
  return {
    closed: true,
    vertices: [
      v(cx, cy - ry, [-kx, 0], [kx, 0]),
      v(cx + rx, cy, [0, -ky], [0, ky]),
      v(cx, cy + ry, [kx, 0], [-kx, 0]),
      v(cx - rx, cy, [0, ky], [0, -ky]),
    ],
  }
}

/** The box around a path's vertices (tangent handles left out); zero-sized at the origin when empty. */
export function pathBounds(path: BezierPath): Bounds {
  if (path.vertices.length === 0) return { x: 0, y: 0, width: 0, height: 0 }
  const xs = path.vertices.map((vertex) => vertex.point[0])
  const ys = path.vertices.map((vertex) => vertex.point[1])
  const x = Math.min(...xs)
  const y = Math.min(...ys)
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y }
}

/**
 * The path moved and scaled so its vertices' box becomes `target` (tangents scale with it).
 * A flat axis (zero width or height) only moves. Vertex count and order stay, so the result
 * still interpolates with the path's other keyframes.
 */
export function fitPathToBounds(path: BezierPath, target: Bounds): BezierPath {
  const from = pathBounds(path)
  const sx = from.width > 1e-9 ? target.width / from.width : 1
  const sy = from.height > 1e-9 ? target.height / from.height : 1
  return {
    closed: path.closed,
    vertices: path.vertices.map((vertex) => ({
      point: [target.x + (vertex.point[0] - from.x) * sx, target.y + (vertex.point[1] - from.y) * sy],
      inTangent: [vertex.inTangent[0] * sx, vertex.inTangent[1] * sy],
      outTangent: [vertex.outTangent[0] * sx, vertex.outTangent[1] * sy],
    })),
  }
}

export type MaskShape = 'rectangle' | 'ellipse'

/** The path of `shape` filling `bounds`. */
export function shapePath(shape: MaskShape, bounds: Bounds): BezierPath {
  return shape === 'ellipse' ? ellipsePath(bounds) : rectanglePath(bounds)
}

/**
 * Adds a mask of `shape` filling `bounds` (layer space) at the bottom of the layer's mask list,
 * named "Mask n" (first free n), in add mode. Returns it.
 */
export function addMask(layer: Pick<Layer, 'masks'>, shape: MaskShape, bounds: Bounds, id = newId('mask')): Mask {
  return addPathMask(layer, shapePath(shape, bounds), id)
}

/** Adds a mask with `path` (layer space), named and placed as `addMask` does; `id` when the caller needs it stable. */
export function addPathMask(layer: Pick<Layer, 'masks'>, path: BezierPath, id = newId('mask')): Mask {
  const taken = new Set(layer.masks.map((mask) => mask.name))
  let n = 1
  while (taken.has(`Mask ${n}`)) n++
  const mask = maskSchema.parse({ id, name: `Mask ${n}`, path: { value: path } })
  layer.masks.push(mask)
  return mask
}

/** Removes the mask with `id`; whether there was one. */
export function deleteMask(layer: Pick<Layer, 'masks'>, id: string): boolean {
  const index = layer.masks.findIndex((mask) => mask.id === id)
  if (index < 0) return false
  layer.masks.splice(index, 1)
  return true
}
