import type { TemplateParameter } from './manifest'

export interface FrameSize { width: number; height: number }

/**
 * The `width` and `height` values a template's form starts with when a frame of `size` is its
 * input: the frame's own size, scaled (keeping its shape) into the template's limits, each side a
 * multiple of the template's step. Empty when the template has no integer width and height.
 */
export function sizeForFrame(parameters: readonly TemplateParameter[], size: FrameSize): Partial<Record<'width' | 'height', number>> {
  const width = parameters.find((p) => p.name === 'width' && p.type === 'int')
  const height = parameters.find((p) => p.name === 'height' && p.type === 'int')
  if (width?.type !== 'int' || height?.type !== 'int' || size.width <= 0 || size.height <= 0) return {}
  const limit = (p: typeof width, side: number) => ({ min: (p.min ?? 1) / side, max: (p.max ?? Number.POSITIVE_INFINITY) / side })
  const w = limit(width, size.width)
  const h = limit(height, size.height)
  // One scale for both sides, so the picture keeps its aspect ratio; shrinking wins over growing.
  const scale = Math.min(Math.max(1, w.min, h.min), w.max, h.max)
  return { width: fit(width, size.width * scale), height: fit(height, size.height * scale) }
}

/** `value` rounded to the parameter's step and kept within its limits (on a step where one fits). */
function fit(parameter: { min?: number; max?: number; step?: number }, value: number): number {
  const step = parameter.step ?? 1
  const min = parameter.min ?? step
  const max = parameter.max ?? Number.POSITIVE_INFINITY
  const rounded = Math.max(step, Math.round(value / step) * step)
  if (rounded > max) return Math.floor(max / step) * step >= min ? Math.floor(max / step) * step : max
  if (rounded < min) return Math.ceil(min / step) * step <= max ? Math.ceil(min / step) * step : min
  return rounded
}
