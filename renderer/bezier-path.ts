import type { BezierPath } from '../shared/project'
import type { Bounds } from './geometry'
import type { Context2D } from './canvas'

/** Adds a bezier path (tangents relative to their vertex) to the context's current path. */
export function traceBezierPath(ctx: Context2D, path: BezierPath): void {
  const vertices = path.vertices
  const first = vertices[0]
  if (!first) return
  ctx.moveTo(first.point[0], first.point[1])
  const count = path.closed ? vertices.length : vertices.length - 1
  for (let i = 0; i < count; i++) {
    const a = vertices[i]
    const b = vertices[(i + 1) % vertices.length]
    if (!a || !b) continue
    ctx.bezierCurveTo(
      a.point[0] + a.outTangent[0], a.point[1] + a.outTangent[1],
      b.point[0] + b.inTangent[0], b.point[1] + b.inTangent[1],
      b.point[0], b.point[1],
    )
  }
  if (path.closed) ctx.closePath()
}

/** Bounds of a path's vertices and control points (the curve lies inside their hull), or null if empty. */
export function bezierPathBounds(path: BezierPath): Bounds | null {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const v of path.vertices) {
    for (const [x, y] of [v.point, [v.point[0] + v.inTangent[0], v.point[1] + v.inTangent[1]], [v.point[0] + v.outTangent[0], v.point[1] + v.outTangent[1]]]) {
      minX = Math.min(minX, x as number)
      minY = Math.min(minY, y as number)
      maxX = Math.max(maxX, x as number)
      maxY = Math.max(maxY, y as number)
    }
  }
  return minX === Infinity ? null : { x: minX, y: minY, width: maxX - minX, height: maxY - minY }
}
