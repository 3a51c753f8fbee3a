import type { WebGLRenderTarget } from 'three'
import { type CompositionState, type LayerState, mat4 } from '../shared/engine'
import type { AssetStore } from './assets'
import { premultipliedColor } from './color'
import { type LayerContent, type RasterCache, layerContent } from './content'
import { FLIP_Y, boundsMatrix, orthographic } from './geometry'
import type { Gpu } from './gpu'
import { type Materials, setUniforms } from './materials'
import { renderMasks } from './masks'
import { blendModeId } from './shaders/blend'
import { matteModeId } from './shaders/matte'

/** Track mattes of track mattes are followed this deep. */
const MAX_MATTE_DEPTH = 4

/** Layers drawn in the perspective of the composition's camera: 3D layers and depth layers. */
export const isPerspective = (layer: LayerState): boolean => layer.threeD || layer.kind === 'depth'

/**
 * Draws composition states with the shared GPU pieces. Each layer is drawn into its own
 * premultiplied target (content × masks × opacity, then × its track matte) and composited over
 * the picture so far by the blend shader, ping-ponging between two targets.
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
    let accumulated = gpu.pool.acquire(width, height)
    let next = gpu.pool.acquire(width, height)
    setUniforms(materials.fill, { uColor: background ? premultipliedColor(state.backgroundColor) : [0, 0, 0, 0] })
    gpu.pass(materials.fill, accumulated)
    for (const layer of drawOrder(state)) {
      const picture = await this.renderLayer(state, layer, width, height, 0)
      setUniforms(materials.blend, { tLayer: picture.texture, tBase: accumulated.texture, uMode: blendModeId(layer.blendMode) })
      gpu.pass(materials.blend, next)
      gpu.pool.release(picture)
      ;[accumulated, next] = [next, accumulated]
    }
    gpu.pool.release(next)
    return accumulated
  }

  /**
   * One layer alone in composition space (premultiplied): content × masks × opacity, times its
   * track matte when it has one. The caller releases the target.
   */
  async renderLayer(state: CompositionState, layer: LayerState, width: number, height: number, matteDepth: number): Promise<WebGLRenderTarget> {
    const { gpu, materials } = this
    const target = gpu.pool.acquire(width, height, 'color', true)
    gpu.clear(target)
    const content = await this.content(layer, width / state.width, height / state.height)
    if (content) {
      this.drawContent(state, layer, content, target, 'color')
      content.dispose()
    }
    if (layer.trackMatte.mode === 'none' || matteDepth >= MAX_MATTE_DEPTH) return target
    const matteLayer = state.layers.find((each) => each.id === layer.trackMatte.layerId)
    let matte: WebGLRenderTarget
    if (matteLayer && matteLayer.inRange) matte = await this.renderLayer(state, matteLayer, width, height, matteDepth + 1)
    else {
      matte = gpu.pool.acquire(width, height)
      gpu.clear(matte)
    }
    const matted = gpu.pool.acquire(width, height, 'color', true)
    setUniforms(materials.matte, { tLayer: target.texture, tMatte: matte.texture, uMatteMode: matteModeId(layer.trackMatte.mode) })
    gpu.pass(materials.matte, matted)
    gpu.pool.release(target)
    gpu.pool.release(matte)
    return matted
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
   * composition's orthographic space, 3D and depth layers through its camera. `depth` output
   * writes eye depth where the content's coverage is at least ½, with depth testing.
   */
  drawContent(state: CompositionState, layer: LayerState, content: LayerContent, target: WebGLRenderTarget, output: 'color' | 'depth'): void {
    const { gpu, materials } = this
    const mask = renderMasks(gpu, materials, layer.masks, content.bounds)
    const model = mat4.multiply(layer.worldMatrix, boundsMatrix(content.bounds))
    const camera = state.camera
    const mvp = isPerspective(layer)
      ? mat4.compose(FLIP_Y, camera.viewProjectionMatrix, model)
      : mat4.multiply(orthographic(state.width, state.height), model)
    const depthTested = output === 'depth' || Boolean(content.depth)
    const material = materials.layer
    material.depthTest = depthTested
    material.depthWrite = depthTested
    setUniforms(material, {
      uMvp: mvp,
      uModelView: mat4.multiply(camera.viewMatrix, model),
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
