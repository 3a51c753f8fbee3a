import type { Shape, ShapeLayerData } from '../shared/project'
import type { Resolved } from '../shared/engine'
import { bezierPathBounds, traceBezierPath } from './bezier-path'
import { type Canvas2D, type Context2D, createCanvas } from './canvas'
import { type Bounds, snapBounds, union } from './geometry'

export type ShapeData = Resolved<ShapeLayerData>
type ResolvedShape = Resolved<Shape>

const MITER_LIMIT = 4

/** Outline of one shape in layer space (`position` is its centre). */
function traceShape(ctx: Context2D, shape: ResolvedShape): void {
  switch (shape.type) {
    case 'rectangle': {
      const [w, h] = [Math.abs(shape.size[0]), Math.abs(shape.size[1])]
      const x = shape.position[0] - w / 2
      const y = shape.position[1] - h / 2
      const r = Math.min(shape.roundness, w / 2, h / 2)
      if (r > 0) ctx.roundRect(x, y, w, h, r)
      else ctx.rect(x, y, w, h)
      return
    }
    case 'ellipse':
      ctx.ellipse(shape.position[0], shape.position[1], Math.abs(shape.size[0]) / 2, Math.abs(shape.size[1]) / 2, 0, 0, Math.PI * 2)
      return
    case 'polygon': {
      // After Effects' polystar: the first point straight up, rotation clockwise in degrees.
      const star = shape.innerRadius !== null
      const count = star ? shape.points * 2 : shape.points
      for (let i = 0; i < count; i++) {
        const radius = star && i % 2 === 1 ? (shape.innerRadius as number) : shape.outerRadius
        const angle = ((shape.rotation - 90) * Math.PI) / 180 + (i * 2 * Math.PI) / count
        const x = shape.position[0] + radius * Math.cos(angle)
        const y = shape.position[1] + radius * Math.sin(angle)
        if (i === 0) ctx.moveTo(x, y)
        else ctx.lineTo(x, y)
      }
      ctx.closePath()
      return
    }
    case 'path':
      traceBezierPath(ctx, shape.path)
  }
}

function shapeBounds(shape: ResolvedShape): Bounds | null {
  let b: Bounds | null
  switch (shape.type) {
    case 'rectangle':
    case 'ellipse': {
      const [w, h] = [Math.abs(shape.size[0]), Math.abs(shape.size[1])]
      b = { x: shape.position[0] - w / 2, y: shape.position[1] - h / 2, width: w, height: h }
      break
    }
    case 'polygon': {
      const r = Math.max(shape.outerRadius, shape.innerRadius ?? 0)
      b = { x: shape.position[0] - r, y: shape.position[1] - r, width: 2 * r, height: 2 * r }
      break
    }
    case 'path':
      b = bezierPathBounds(shape.path)
  }
  if (!b) return null
  const pad = shape.stroke ? (shape.stroke.width / 2) * MITER_LIMIT : 0
  return { x: b.x - pad, y: b.y - pad, width: b.width + 2 * pad, height: b.height + 2 * pad }
}

const drawnShapes = (data: ShapeData) => data.shapes.filter((shape) => shape.fill || (shape.stroke && shape.stroke.width > 0))

/** The box around a shape layer's drawn shapes (strokes included) in layer space; null when nothing is drawn. */
export function shapeLayerBounds(data: ShapeData): Bounds | null {
  let total: Bounds | null = null
  for (const shape of drawnShapes(data)) {
    const b = shapeBounds(shape)
    if (b) total = union(total, b)
  }
  return total
}

/**
 * A shape layer's shapes drawn into one picture in layer space. The first shape of the list is
 * on top (drawn last), as the first item of After Effects' Contents is. Fills use the nonzero
 * rule; strokes are centred on the outline with miter joins.
 */
export function rasterizeShapes(data: ShapeData): { canvas: Canvas2D; bounds: Bounds } | null {
  const shapes = drawnShapes(data)
  const total = shapeLayerBounds(data)
  if (!total) return null
  const bounds = snapBounds(total, 2)
  const { canvas, ctx } = createCanvas(bounds.width, bounds.height)
  ctx.translate(-bounds.x, -bounds.y)
  ctx.miterLimit = MITER_LIMIT
  ctx.lineJoin = 'miter'
  for (const shape of [...shapes].reverse()) {
    ctx.beginPath()
    traceShape(ctx, shape)
    if (shape.fill) {
      ctx.globalAlpha = shape.fill.opacity / 100
      ctx.fillStyle = shape.fill.color
      ctx.fill('nonzero')
    }
    if (shape.stroke && shape.stroke.width > 0) {
      ctx.globalAlpha = shape.stroke.opacity / 100
      ctx.strokeStyle = shape.stroke.color
      ctx.lineWidth = shape.stroke.width
      ctx.stroke()
    }
  }
  ctx.globalAlpha = 1
  return { canvas, bounds }
}
