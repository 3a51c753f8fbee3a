import { CustomBlending, NoBlending, OneFactor, OneMinusSrcAlphaFactor, type WebGLRenderTarget } from 'three'
import { type CompositionState, type LayerState, mat4 } from '../shared/engine'
import type { AssetStore } from './assets'
import { premultipliedColor } from './color'
import { type LayerContent, type RasterCache, layerContent } from './content'
import { FLIP_Y, boundsMatrix, orthographic } from './geometry'
import type { Gpu, PixelRect } from './gpu'
import { type Materials, setUniforms } from './materials'
import { renderMasks } from './masks'
import { blendModeId } from './shaders/blend'
import { OUTPUT_MODE } from './shaders/fullscreen'
import { matteModeId } from './shaders/matte'

/** Track mattes of track mattes are followed this deep. */
const MAX_MATTE_DEPTH = 4

/** Layers drawn in the perspective of the composition's camera: 3D layers and depth layers. */
export const isPerspective = (layer: LayerState): boolean => layer.threeD || layer.kind === 'depth'

/** A layer alone in composition space and the pixels it can touch (nothing outside `rect`). */
export interface LayerPicture {
  target: WebGLRenderTarget
  rect: PixelRect | null
}

/**
 * Draws composition states with the shared GPU pieces. A layer in normal mode without a track
 * matte (and not a depth layer) is drawn straight onto the picture with premultiplied "over"
 * (exactly the normal formula). Any other layer is drawn into its own premultiplied target (content × masks ×
 * opacity, then × its track matte) and composited by the blend shader into a scratch target,
 * then copied back; both passes cover only the layer's bounding rectangle on screen.
 */
export class Compositor {
  constructor(
    private readonly gpu: Gpu,
    private readonly materials: Materials,
    private readonly assets: AssetStore,
    private readonly rasters: RasterCache,
  ) {}

  /**
   * Renders `state` at `width`×`height` and returns the target holding it (premultiplied; the
   * caller releases it). `background`: the composition's colour (may be transparent via
   * `#rrggbb00`) or fully transparent, as nested compositions are.
   */
  async composite(state: CompositionState, width: number, height: number, background: boolean): Promise<WebGLRenderTarget> {
    const { gpu, materials } = this
    const picture = gpu.pool.acquire(width, height)
    setUniforms(materials.fill, { uColor: background ? premultipliedColor(state.backgroundColor) : [0, 0, 0, 0] })
    gpu.pass(materials.fill, picture)
    let scratch: WebGLRenderTarget | null = null
    for (const layer of drawOrder(state)) {
      // Depth layers need their own depth buffer to hide their own far parts.
      if (layer.blendMode === 'normal' && layer.trackMatte.mode === 'none' && layer.kind !== 'depth') {
        const content = await this.content(layer, width / state.width, height / state.height)
        if (!content) continue
        this.drawContent(state, layer, content, picture, 'over')
        content.dispose()
        continue
      }
      const drawn = await this.renderLayer(state, layer, width, height, 0)
      if (drawn.rect) {
        scratch ??= gpu.pool.acquire(width, height)
        setUniforms(materials.blend, { tLayer: drawn.target.texture, tBase: picture.texture, uMode: blendModeId(layer.blendMode) })
        gpu.pass(materials.blend, scratch, drawn.rect)
        setUniforms(materials.output, { tSource: scratch.texture, uMode: OUTPUT_MODE.copy, uFlipY: false })
        gpu.pass(materials.output, picture, drawn.rect)
      }
      gpu.pool.release(drawn.target)
    }
    gpu.pool.release(scratch)
    return picture
  }

  /**
   * One layer alone in composition space (premultiplied): content × masks × opacity, times its
   * track matte when it has one. Only `rect` is valid unless `whole` (then all of the target
   * is). The caller releases the target.
   */
  async renderLayer(state: CompositionState, layer: LayerState, width: number, height: number, matteDepth: number, whole = false): Promise<LayerPicture> {
    const { gpu, materials } = this
    const target = gpu.pool.acquire(width, height, 'color', true)
    const content = await this.content(layer, width / state.width, height / state.height)
    const full = { x: 0, y: 0, width, height }
    const rect = content ? (whole ? full : screenRect(state, layer, content, width, height)) : whole ? full : null
    if (rect) gpu.clear(target, 0, rect)
    if (content && rect) this.drawContent(state, layer, content, target, 'color')
    content?.dispose()
    if (!rect || layer.trackMatte.mode === 'none' || matteDepth >= MAX_MATTE_DEPTH) return { target, rect }
    const matteLayer = state.layers.find((each) => each.id === layer.trackMatte.layerId)
    let matte: WebGLRenderTarget
    if (matteLayer && matteLayer.inRange) matte = (await this.renderLayer(state, matteLayer, width, height, matteDepth + 1, true)).target
    else {
      matte = gpu.pool.acquire(width, height)
      gpu.clear(matte)
    }
    const matted = gpu.pool.acquire(width, height, 'color', true)
    setUniforms(materials.matte, { tLayer: target.texture, tMatte: matte.texture, uMatteMode: matteModeId(layer.trackMatte.mode) })
    gpu.pass(materials.matte, matted, rect)
    gpu.pool.release(target)
    gpu.pool.release(matte)
    return { target: matted, rect }
  }

  /** Loads or draws what the layer shows; nested compositions render at this output scale. */
  content(layer: LayerState, scaleX: number, scaleY: number): Promise<LayerContent | null> {
    return layerContent(layer, {
      assets: this.assets,
      rasters: this.rasters,
      nested: async (nested) => {
        const child = nested.composition
        const target = await this.composite(child, Math.max(1, Math.round(child.width * scaleX)), Math.max(1, Math.round(child.height * scaleY)), false)
        return { texture: target.texture, release: () => this.gpu.pool.release(target) }
      },
    })
  }

  /**
   * Draws a layer's content with its masks into `target` (not cleared): 2D layers through the
   * composition's orthographic space, 3D and depth layers through its camera. `color` replaces
   * what is there (a layer's own target; depth layers hide their own far parts with the depth
   * test), `over` composites onto it, `depth` writes eye depth where the content's coverage is
   * at least ½, with depth testing.
   */
  drawContent(state: CompositionState, layer: LayerState, content: LayerContent, target: WebGLRenderTarget, output: 'color' | 'over' | 'depth'): void {
    const { gpu, materials } = this
    const mask = renderMasks(gpu, materials, layer.masks, content.bounds)
    const model = mat4.multiply(layer.worldMatrix, boundsMatrix(content.bounds))
    const depthTested = output === 'depth' || Boolean(content.depth)
    const material = materials.layer
    material.depthTest = depthTested
    material.depthWrite = depthTested
    if (output === 'over') {
      material.blending = CustomBlending
      material.blendSrc = OneFactor
      material.blendDst = OneMinusSrcAlphaFactor
      material.blendSrcAlpha = OneFactor
      material.blendDstAlpha = OneMinusSrcAlphaFactor
    } else material.blending = NoBlending
    setUniforms(material, {
      uMvp: layerMvp(state, layer, model),
      uModelView: mat4.multiply(state.camera.viewMatrix, model),
      uDisplaced: Boolean(content.depth),
      tDepthMap: content.depth?.map ?? null,
      uDisplacement: content.depth?.displacement ?? 0,
      uInvertDepth: content.depth?.invert ?? false,
      uHasMap: content.map !== null,
      tMap: content.map,
      uMapPremultiplied: content.premultiplied,
      uColor: content.color,
      uHasMask: mask !== null,
      tMask: mask?.texture ?? null,
      uOpacity: layer.opacity,
      uOutput: output === 'depth' ? 1 : 0,
    })
    gpu.draw(gpu.grid(content.depth?.segments ?? 1), material, target)
    gpu.pool.release(mask)
  }
}

/** Layer space (the unit square over its bounds, via `model`) → clip space. */
function layerMvp(state: CompositionState, layer: LayerState, model: number[]): number[] {
  return isPerspective(layer)
    ? mat4.compose(FLIP_Y, state.camera.viewProjectionMatrix, model)
    : mat4.multiply(orthographic(state.width, state.height), model)
}

/**
 * The pixels a layer's content can cover: its projected corners' bounding box, grown by a
 * pixel, or the whole target when that is unknown (depth layers, corners behind the camera).
 * Null when it is off-screen.
 */
function screenRect(state: CompositionState, layer: LayerState, content: LayerContent, width: number, height: number): PixelRect | null {
  const full = { x: 0, y: 0, width, height }
  if (content.depth) return full
  const mvp = layerMvp(state, layer, mat4.multiply(layer.worldMatrix, boundsMatrix(content.bounds)))
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (const [u, v] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
    const x = (mvp[0] as number) * u + (mvp[4] as number) * v + (mvp[12] as number)
    const y = (mvp[1] as number) * u + (mvp[5] as number) * v + (mvp[13] as number)
    const w = (mvp[3] as number) * u + (mvp[7] as number) * v + (mvp[15] as number)
    if (!(w > 1e-6)) return full
    minX = Math.min(minX, ((x / w + 1) / 2) * width)
    maxX = Math.max(maxX, ((x / w + 1) / 2) * width)
    minY = Math.min(minY, ((y / w + 1) / 2) * height)
    maxY = Math.max(maxY, ((y / w + 1) / 2) * height)
  }
  const x0 = Math.max(0, Math.floor(minX) - 1)
  const y0 = Math.max(0, Math.floor(minY) - 1)
  const x1 = Math.min(width, Math.ceil(maxX) + 1)
  const y1 = Math.min(height, Math.ceil(maxY) + 1)
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null
}

/** Eye-space distance of a layer's anchor point from the camera (sorting 3D layers). */
function cameraDistance(state: CompositionState, layer: LayerState): number {
  const world = mat4.transformPoint(layer.worldMatrix, layer.transform.anchor)
  return -mat4.transformPoint(state.camera.viewMatrix, world)[2]
}

/** Whether a layer contributes to the colour and depth passes: visible, not a track matte of another layer. */
export function isDrawn(layer: LayerState): boolean {
  return layer.visible && layer.matteFor.length === 0
}

/**
 * Bottom-to-top drawing order. Runs of adjacent 3D layers are sorted far to near by their
 * anchor point's distance from the camera (as After Effects does for layers that do not
 * intersect); 2D layers stay in stacking order and split 3D runs.
 */
export function drawOrder(state: CompositionState): LayerState[] {
  const bottomUp = state.layers.filter(isDrawn).reverse()
  const ordered: LayerState[] = []
  let run: LayerState[] = []
  const flush = () => {
    const withDistance = run.map((layer, i) => ({ layer, i, d: cameraDistance(state, layer) }))
    withDistance.sort((a, b) => b.d - a.d || a.i - b.i)
    ordered.push(...withDistance.map((each) => each.layer))
    run = []
  }
  for (const layer of bottomUp) {
    if (isPerspective(layer)) run.push(layer)
    else {
      flush()
      ordered.push(layer)
    }
  }
  flush()
  return ordered
}
