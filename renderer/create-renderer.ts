import { DataTexture, RGBAFormat, type Texture, UnsignedByteType, WebGLRenderTarget } from 'three'
import { type CompositionState, evaluateComposition } from '../shared/engine'
import type { ProjectDocument } from '../shared/project'
import { AssetStore } from './assets'
import { Compositor, isDrawn, isPerspective } from './compositor'
import { RasterCache } from './content'
import { depthToGrey, distances } from './depth'
import { Gpu, configureTexture } from './gpu'
import { createMaterials, disposeMaterials, setUniforms } from './materials'
import { OUTPUT_MODE } from './shaders/fullscreen'
import type { RenderPass, Renderer, RendererOptions } from './types'

type PassSpec = { type: 'color' } | { type: 'depth'; range?: [number, number] } | { type: 'matte'; layerId: string }

const normalisePass = (pass: RenderPass): PassSpec => (typeof pass === 'string' ? { type: pass } : pass)


/**
 * A WebGL2 compositor for project documents (browser only). Every frame is computed from the
 * document, the frame number and the assets alone, so the same input gives the same pixels.
 *
 * Colour: sRGB-encoded values are composited as they are (no linearisation), premultiplied in
 * half-float targets; `readPixels` returns straight (un-premultiplied) RGBA, 8 bits, rows from
 * the top. The background is the composition's colour, transparent when it is `#rrggbb00`.
 */
export function createRenderer(options: RendererOptions): Renderer {
  const gpu = new Gpu(options.canvas, options.precision)
  const materials = createMaterials()
  const assets = new AssetStore(options.loadImage)
  const rasters = new RasterCache()
  const compositor = new Compositor(gpu, materials, assets, rasters)
  let width = options.width
  let height = options.height
  let output: WebGLRenderTarget | null = null
  let busy = false

  const acquireOutput = (): WebGLRenderTarget => {
    if (output && (output.width !== width || output.height !== height)) {
      gpu.pool.release(output)
      output = null
    }
    output ??= gpu.pool.acquire(width, height, 'byte')
    return output
  }

  const toOutput = (source: WebGLRenderTarget | Texture, mode: number) => {
    const target = acquireOutput()
    setUniforms(materials.output, { tSource: source instanceof WebGLRenderTarget ? source.texture : source, uMode: mode, uFlipY: false })
    gpu.pass(materials.output, target)
    if (options.canvas) {
      gpu.renderer.setSize(width, height, false)
      setUniforms(materials.output, { tSource: target.texture, uMode: OUTPUT_MODE.opaque, uFlipY: true })
      gpu.pass(materials.output, null)
    }
  }

  const colorPass = async (state: CompositionState) => {
    const picture = await compositor.composite(state, width, height, true)
    toOutput(picture, OUTPUT_MODE.straight)
    gpu.pool.release(picture)
  }

  const mattePass = async (state: CompositionState, layerId: string) => {
    const layer = state.layers.find((each) => each.id === layerId)
    if (!layer) throw new Error(`layer "${layerId}" is not in composition "${state.id}"`)
    const target = layer.inRange ? (await compositor.renderLayer(state, layer, width, height, 0, true)).target : gpu.pool.acquire(width, height)
    if (!layer.inRange) gpu.clear(target)
    toOutput(target, OUTPUT_MODE.alphaAsGrey)
    gpu.pool.release(target)
  }

  /** The last depth pass's eye distances, for `readDepth`. */
  let lastDepth: Float32Array | null = null

  const depthPass = async (state: CompositionState, range?: [number, number]) => {
    if (!gpu.canRenderFloat) throw new Error('the depth pass needs float render targets (EXT_color_buffer_float)')
    const target = gpu.pool.acquire(width, height, 'float', true)
    gpu.clear(target)
    for (const layer of state.layers.filter((each) => isDrawn(each) && isPerspective(each))) {
      const content = await compositor.content(layer, width / state.width, height / state.height)
      if (!content) continue
      compositor.drawContent(state, layer, content, target, 'depth')
      content.dispose()
    }
    const samples = new Float32Array(width * height * 4)
    gpu.renderer.readRenderTargetPixels(target, 0, 0, width, height, samples)
    gpu.pool.release(target)
    lastDepth = distances(samples, width * height)
    const grey = configureTexture(new DataTexture(depthToGrey(samples, width, height, range), width, height, RGBAFormat, UnsignedByteType))
    toOutput(grey, OUTPUT_MODE.opaque)
    grey.dispose()
  }

  return {
    get width() { return width },
    get height() { return height },

    async renderFrame(document: Pick<ProjectDocument, 'compositions'>, compositionId: string, frame: number, pass: RenderPass = 'color') {
      if (busy) throw new Error('renderFrame is already running: await the previous frame first')
      busy = true
      try {
        const state = evaluateComposition(document, compositionId, frame)
        const spec = normalisePass(pass)
        lastDepth = null
        if (spec.type === 'color') await colorPass(state)
        else if (spec.type === 'depth') await depthPass(state, spec.range)
        else await mattePass(state, spec.layerId)
      } finally {
        rasters.trim()
        busy = false
      }
    },

    readPixels() {
      if (!output) throw new Error('nothing rendered yet: call renderFrame first')
      const pixels = new Uint8ClampedArray(width * height * 4)
      gpu.renderer.readRenderTargetPixels(output, 0, 0, width, height, pixels as unknown as Uint8Array)
      return pixels
    },

    readDepth() {
      if (!lastDepth || lastDepth.length !== width * height) throw new Error('no depth pass rendered at this size: call renderFrame with the depth pass first')
      return lastDepth
    },

    resize(w: number, h: number) {
      if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) throw new Error(`invalid size ${w}×${h}`)
      width = w
      height = h
    },

    invalidateAssets(assetIds?: string[]) {
      assets.invalidate(assetIds)
    },

    dispose() {
      assets.dispose()
      rasters.dispose()
      disposeMaterials(materials)
      gpu.dispose()
    },
  }
}
