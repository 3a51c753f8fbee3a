import type { TextLayerData } from '../shared/project'
import type { Resolved } from '../shared/engine'
import { type Canvas2D, createCanvas } from './canvas'
import { type Bounds, snapBounds } from './geometry'

export type TextData = Resolved<TextLayerData>

export function fontString(data: Pick<TextData, 'fontWeight' | 'fontSize' | 'fontFamily'>): string {
  const family = /^[\w-]+$/.test(data.fontFamily) ? data.fontFamily : JSON.stringify(data.fontFamily)
  return `${data.fontWeight} ${data.fontSize}px ${family}`
}

/**
 * The box around the glyphs as drawn (ink, not the font's line box), in layer space, with room
 * for the stroke: what the selection box encloses and where a new text layer's anchor is centred.
 * Null when there is no text.
 */
export function textBounds(data: TextData): Bounds | null {
  if (data.text.length === 0) return null
  const { ctx } = createCanvas(1, 1)
  ctx.font = fontString(data)
  ctx.textAlign = data.align
  ctx.textBaseline = 'alphabetic'
  if ('letterSpacing' in ctx) ctx.letterSpacing = `${data.letterSpacing}px`
  const lineStep = data.fontSize * data.lineHeight
  let minX = Infinity
  let maxX = -Infinity
  let minY = Infinity
  let maxY = -Infinity
  data.text.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (line.trim().length === 0) return
    const m = ctx.measureText(line)
    minX = Math.min(minX, -m.actualBoundingBoxLeft)
    maxX = Math.max(maxX, m.actualBoundingBoxRight)
    minY = Math.min(minY, i * lineStep - m.actualBoundingBoxAscent)
    maxY = Math.max(maxY, i * lineStep + m.actualBoundingBoxDescent)
  })
  if (!(maxX > minX) || !(maxY > minY)) return null
  const pad = data.stroke && data.stroke.width > 0 ? data.stroke.width / 2 : 0
  return { x: minX - pad, y: minY - pad, width: maxX - minX + 2 * pad, height: maxY - minY + 2 * pad }
}

/**
 * Text in layer space, as After Effects places point text: the origin is on the first line's
 * baseline, at its left end, centre or right end for left, center and right alignment; lines
 * follow every `lineHeight × fontSize` pixels down. The stroke is centred on the glyph outlines
 * and drawn under the fill ("fill over stroke", After Effects' default). Null when there is no text.
 */
export function rasterizeText(data: TextData): { canvas: Canvas2D; bounds: Bounds } | null {
  const lines = data.text.split(/\r\n|\r|\n/)
  if (data.text.length === 0) return null
  const { ctx: probe } = createCanvas(1, 1)
  const setup = (ctx: typeof probe) => {
    ctx.font = fontString(data)
    ctx.textAlign = data.align
    ctx.textBaseline = 'alphabetic'
    if ('letterSpacing' in ctx) ctx.letterSpacing = `${data.letterSpacing}px`
  }
  setup(probe)
  const lineStep = data.fontSize * data.lineHeight
  const stroke = data.stroke && data.stroke.width > 0 ? data.stroke : null
  let minX = Infinity
  let maxX = -Infinity
  let minY = Infinity
  let maxY = -Infinity
  lines.forEach((line, i) => {
    const m = probe.measureText(line)
    const baseline = i * lineStep
    minX = Math.min(minX, -m.actualBoundingBoxLeft)
    maxX = Math.max(maxX, m.actualBoundingBoxRight)
    minY = Math.min(minY, baseline - Math.max(m.actualBoundingBoxAscent, m.fontBoundingBoxAscent))
    maxY = Math.max(maxY, baseline + Math.max(m.actualBoundingBoxDescent, m.fontBoundingBoxDescent))
  })
  if (!(maxX > minX)) return null
  const bounds = snapBounds({ x: minX, y: minY, width: maxX - minX, height: maxY - minY }, Math.ceil((stroke?.width ?? 0) / 2) + 2)
  const { canvas, ctx } = createCanvas(bounds.width, bounds.height)
  setup(ctx)
  ctx.translate(-bounds.x, -bounds.y)
  lines.forEach((line, i) => {
    if (stroke) {
      ctx.lineJoin = 'round'
      ctx.lineWidth = stroke.width
      ctx.strokeStyle = stroke.color
      ctx.strokeText(line, 0, i * lineStep)
    }
    ctx.fillStyle = data.fill
    ctx.fillText(line, 0, i * lineStep)
  })
  return { canvas, bounds }
}
