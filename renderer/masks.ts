import { CanvasTexture, type WebGLRenderTarget } from 'three'
import { MASK_MODES } from '../shared/project'
import type { MaskState } from '../shared/engine'
import type { Bounds } from './geometry'
import { type Gpu, configureTexture } from './gpu'
import { type Materials, setUniforms } from './materials'
import { rasterizeMask } from './mask-raster'

/** Largest mask raster side; bigger layers get their mask stretched over them. */
const MAX_MASK_SIZE = 4096
/** At most this many layer pixels per raster pixel when blurring a wide feather. */
const MAX_REDUCTION = 8

/**
 * Where a layer's masks start: with nothing when the first mask adds (add, lighten,
 * difference), with the whole layer when it takes away (subtract, intersect, darken), as in
 * After Effects where a lone subtract mask cuts a hole into the full layer.
 */
function initialCoverage(first: MaskState): 0 | 1 {
  return first.mode === 'subtract' || first.mode === 'intersect' || first.mode === 'darken' ? 1 : 0
}

/**
 * A layer's masks as one coverage texture over `bounds` (in the red channel), or null when the
 * layer has no masks that do anything. Each mask: outline with expansion (Canvas2D), feather
 * (Gaussian blur per axis), inversion, opacity, then combined with the result so far by its mode.
 * Coverage is stored in 8 bits.
 * The caller releases the returned target to the pool.
 */
export function renderMasks(gpu: Gpu, materials: Materials, masks: MaskState[], bounds: Bounds): WebGLRenderTarget | null {
  const active = masks.filter((mask) => mask.path.closed && mask.path.vertices.length >= 2)
  const first = active[0]
  if (!first) return null
  const width = Math.min(MAX_MASK_SIZE, Math.max(1, Math.round(bounds.width)))
  const height = Math.min(MAX_MASK_SIZE, Math.max(1, Math.round(bounds.height)))
  const scaleX = width / bounds.width
  const scaleY = height / bounds.height
  let accumulated = gpu.pool.acquire(width, height, 'byte')
  let next = gpu.pool.acquire(width, height, 'byte')
  gpu.clear(accumulated, initialCoverage(first))
  for (const mask of active) {
    const sigmaX = (mask.feather[0] / 4) * scaleX
    const sigmaY = (mask.feather[1] / 4) * scaleY
    // Wide feathers blur a smaller raster (the ramp stays smooth: σ ≥ 3 raster pixels).
    const kx = Math.min(MAX_REDUCTION, Math.max(1, Math.floor(sigmaX / 3)))
    const ky = Math.min(MAX_REDUCTION, Math.max(1, Math.floor(sigmaY / 3)))
    const w = Math.max(1, Math.ceil(width / kx))
    const h = Math.max(1, Math.ceil(height / ky))
    const canvas = rasterizeMask(mask, bounds, w, h)
    if (!canvas) continue
    const outline = configureTexture(new CanvasTexture(canvas as never))
    const half = gpu.pool.acquire(w, h, 'byte')
    const blurred = gpu.pool.acquire(w, h, 'byte')
    setUniforms(materials.blur, { tSource: outline, uTexel: [1 / w, 1 / h], uDirection: [1, 0], uSigma: sigmaX / kx })
    gpu.pass(materials.blur, half)
    setUniforms(materials.blur, { tSource: half.texture, uDirection: [0, 1], uSigma: sigmaY / ky })
    gpu.pass(materials.blur, blurred)
    outline.dispose()
    setUniforms(materials.combine, {
      tAccumulated: accumulated.texture,
      tMask: blurred.texture,
      uMode: MASK_MODES.indexOf(mask.mode),
      uInverted: mask.inverted,
      uOpacity: mask.opacity / 100,
    })
    gpu.pass(materials.combine, next)
    gpu.pool.release(half)
    gpu.pool.release(blurred)
    ;[accumulated, next] = [next, accumulated]
  }
  gpu.pool.release(next)
  return accumulated
}
