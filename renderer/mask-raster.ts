import type { MaskState } from '../shared/engine'
import { traceBezierPath } from './bezier-path'
import { type Canvas2D, createCanvas } from './canvas'
import type { Bounds } from './geometry'

/**
 * A mask's outline as coverage (alpha) over `bounds` (the layer's bounds in layer space), grown
 * or shrunk by its expansion (a round-joined stroke of twice the expansion added or cut away).
 * The raster is `width`×`height` pixels over the bounds. Open paths mask nothing (as in After Effects) and give null; so do paths of fewer than 2 vertices.
 */
export function rasterizeMask(mask: MaskState, bounds: Bounds, width = bounds.width, height = bounds.height): Canvas2D | null {
  if (!mask.path.closed || mask.path.vertices.length < 2) return null
  const { canvas, ctx } = createCanvas(width, height)
  ctx.scale(width / bounds.width, height / bounds.height)
  ctx.translate(-bounds.x, -bounds.y)
  ctx.beginPath()
  traceBezierPath(ctx, mask.path)
  ctx.fillStyle = '#ffffff'
  ctx.strokeStyle = '#ffffff'
  ctx.fill('nonzero')
  if (mask.expansion !== 0) {
    ctx.lineJoin = 'round'
    ctx.lineWidth = 2 * Math.abs(mask.expansion)
    if (mask.expansion < 0) ctx.globalCompositeOperation = 'destination-out'
    ctx.stroke()
  }
  return canvas
}
