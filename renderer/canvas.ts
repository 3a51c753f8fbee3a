export type Canvas2D = HTMLCanvasElement | OffscreenCanvas
export type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D

/** A 2D canvas of at least 1×1 pixels: an OffscreenCanvas where there is one (workers too). */
export function createCanvas(width: number, height: number): { canvas: Canvas2D; ctx: Context2D } {
  const w = Math.max(1, Math.ceil(width))
  const h = Math.max(1, Math.ceil(height))
  const canvas: Canvas2D = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(w, h) : Object.assign(document.createElement('canvas'), { width: w, height: h })
  const ctx = canvas.getContext('2d') as Context2D | null
  if (!ctx) throw new Error('2D canvas is not available')
  return { canvas, ctx }
}
