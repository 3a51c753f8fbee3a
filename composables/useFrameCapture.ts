import { frameAssetName, type FramePass } from '~~/shared/comfy/frame-inputs'
import type { Composition, ProjectDocument } from '~~/shared/project'
import { createRenderer, pngBlob, type RenderPass, type Renderer } from '~/renderer'
import type { AssetInfo } from '~/composables/api'
import { loadViewportAsset } from '~/composables/editor/viewport-assets'
import { uploadAsset } from '~/composables/upload'

/** One frame of a project's composition, as a picture to render. */
export interface FrameSource {
  projectName: string
  document: ProjectDocument
  compositionId: string
  frame: number
  pass: FramePass
}

/** A frame that could not be rendered or stored; the message says why and what to do. */
export class FrameCaptureError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FrameCaptureError'
  }
}

/** The composition `source` renders; a FrameCaptureError when the project no longer has it. */
export function sourceComposition(source: FrameSource): Composition {
  const composition = source.document.compositions[source.compositionId]
  if (!composition) throw new FrameCaptureError(`The composition is no longer in “${source.projectName}”.`)
  return composition
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error))

function rendererPass(pass: FramePass): RenderPass {
  return pass.type === 'matte' ? { type: 'matte', layerId: pass.layerId } : pass.type
}

/**
 * Renders frames of project documents in the browser (colour, depth or a layer's matte) as PNGs,
 * and stores them as assets. One renderer serves every call, created on first use and disposed
 * with the component that uses this (or earlier, by `dispose`). Calls run one at a time.
 */
export function useFrameCapture() {
  const baseURL = useRuntimeConfig().app.baseURL
  const assets = useAssetsStore()
  let renderer: Renderer | null = null
  let queue: Promise<unknown> = Promise.resolve()

  function rendererFor(width: number, height: number): Renderer {
    if (!renderer) {
      try {
        renderer = createRenderer({ width, height, loadImage: (id) => loadViewportAsset(baseURL, id) })
      } catch (error) {
        throw new FrameCaptureError(`This browser cannot render frames: WebGL2 is not available (${reason(error)}).`)
      }
    }
    renderer.resize(width, height)
    return renderer
  }

  async function renderNow(source: FrameSource, size?: { width: number; height: number }): Promise<Blob> {
    const composition = sourceComposition(source)
    const width = size?.width ?? composition.width
    const height = size?.height ?? composition.height
    const target = rendererFor(width, height)
    try {
      await target.renderFrame(source.document, source.compositionId, source.frame, rendererPass(source.pass))
      return await pngBlob(target.readPixels(), width, height)
    } catch (error) {
      throw new FrameCaptureError(`Frame ${source.frame} of “${composition.name}” could not be rendered: ${reason(error)}`)
    }
  }

  /** The frame as a PNG, at the composition's size or the given one (previews). */
  function render(source: FrameSource, size?: { width: number; height: number }): Promise<Blob> {
    const result = queue.then(() => renderNow(source, size))
    queue = result.catch(() => {})
    return result
  }

  /** Renders the frame at full size and uploads it; the new asset is also added to the library. */
  async function capture(source: FrameSource, onProgress?: (stage: 'rendering' | 'uploading') => void): Promise<AssetInfo> {
    onProgress?.('rendering')
    const png = await render(source)
    const composition = sourceComposition(source)
    const file = new File([png], frameAssetName(source.projectName, composition.name, source.frame, source.pass), { type: 'image/png' })
    onProgress?.('uploading')
    try {
      const { asset } = await uploadAsset(file, () => {})
      assets.upsert(asset)
      return asset
    } catch (error) {
      if (reportUnauthorized(error)) throw error
      throw new FrameCaptureError(`The rendered frame could not be stored: ${errorMessage(error)}`)
    }
  }

  /** Frees the renderer (its GPU context) once the calls already made have finished. */
  function dispose(): Promise<void> {
    const done = queue.then(() => {
      renderer?.dispose()
      renderer = null
    })
    queue = done
    return done
  }
  onScopeDispose(() => { void dispose() })

  return { render, capture, dispose }
}
