import { parseDocument } from '../shared/project'
import { createRenderer } from './create-renderer'
import { pngDataUrl } from './png'
import type { AssetSource, RenderPass, Renderer } from './types'

export interface HeadlessRenderOptions {
  /** Asset id → URL (data: URLs in tests); other ids load from `/api/assets/<id>/file`. */
  assets?: Record<string, string>
  /** Output size; defaults to the composition's. */
  width?: number
  height?: number
  /** `rgba`: base64 of the raw RGBA bytes (rows from the top); `png`: a PNG data URL. */
  format?: 'rgba' | 'png'
  /** The layer of the matte pass. */
  layerId?: string
  /** Depth pass normalisation range [near, far] in composition pixels. */
  depthRange?: [number, number]
  /** Colour target precision; changing it starts a new renderer. */
  precision?: 'auto' | 'half' | 'byte'
}

export interface HeadlessRenderResult {
  width: number
  height: number
  format: 'rgba' | 'png'
  data: string
  /** Time spent in renderFrame, milliseconds. */
  renderMs: number
  /** Time spent reading the pixels back from the GPU, milliseconds. */
  readMs: number
}

export interface HeadlessApi {
  ready: true
  renderFrame(document: unknown, compositionId: string, frame: number, pass?: 'color' | 'depth' | 'matte' | RenderPass, options?: HeadlessRenderOptions): Promise<HeadlessRenderResult>
  dispose(): void
}

async function loadFromUrl(url: string, type?: string): Promise<AssetSource> {
  const isVideo = (type ?? url.slice(5, url.indexOf(';'))).startsWith('video/')
  if (isVideo) {
    const video = document.createElement('video')
    video.muted = true
    video.playsInline = true
    video.preload = 'auto'
    video.crossOrigin = 'anonymous'
    const ready = new Promise<void>((resolve, reject) => {
      video.addEventListener('loadeddata', () => resolve(), { once: true })
      video.addEventListener('error', () => reject(new Error(`cannot load video ${url.slice(0, 64)}`)), { once: true })
    })
    video.src = url
    await ready
    return video
  }
  const image = new Image()
  image.crossOrigin = 'anonymous'
  image.src = url
  await image.decode()
  return image
}

async function loadAsset(assetId: string, assets: Record<string, string>): Promise<AssetSource> {
  const given = assets[assetId]
  if (given) return loadFromUrl(given)
  const response = await fetch(`/api/assets/${encodeURIComponent(assetId)}/file`, { credentials: 'same-origin' })
  if (!response.ok) throw new Error(`asset ${assetId}: HTTP ${response.status}`)
  const blob = await response.blob()
  return loadFromUrl(URL.createObjectURL(blob), blob.type)
}

function base64(bytes: Uint8ClampedArray): string {
  let binary = ''
  const chunk = 0x8000
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk))
  return btoa(binary)
}

/**
 * `window.lattice` for headless rendering (tests, export workers): one renderer reused across
 * calls, resized to each request. Assets given as URLs replace earlier ones with the same id.
 */
export function installHeadlessApi(target: { lattice?: HeadlessApi }): HeadlessApi {
  let renderer: Renderer | null = null
  let rendererPrecision: HeadlessRenderOptions['precision'] = 'auto'
  let assets: Record<string, string> = {}
  let queue: Promise<unknown> = Promise.resolve()

  const render = async (raw: unknown, compositionId: string, frame: number, pass: 'color' | 'depth' | 'matte' | RenderPass, options: HeadlessRenderOptions) => {
    const { document } = parseDocument(raw)
    const composition = document.compositions[compositionId]
    if (!composition) throw new Error(`composition "${compositionId}" is not in the document`)
    const width = options.width ?? composition.width
    const height = options.height ?? composition.height
    const precision = options.precision ?? 'auto'
    if (renderer && precision !== rendererPrecision) {
      renderer.dispose()
      renderer = null
    }
    rendererPrecision = precision
    renderer ??= createRenderer({ width, height, precision, loadImage: (id) => loadAsset(id, assets) })
    renderer.resize(width, height)
    const given = options.assets ?? {}
    const changed = Object.keys(given).filter((id) => assets[id] !== given[id])
    assets = { ...assets, ...given }
    if (changed.length > 0) renderer.invalidateAssets(changed)
    const spec: RenderPass =
      pass === 'matte'
        ? { type: 'matte', layerId: options.layerId ?? '' }
        : pass === 'depth' && options.depthRange
          ? { type: 'depth', range: options.depthRange }
          : pass
    const started = performance.now()
    await renderer.renderFrame(document, compositionId, frame, spec)
    const rendered = performance.now()
    const pixels = renderer.readPixels()
    const renderMs = rendered - started
    const readMs = performance.now() - rendered
    const format = options.format ?? 'rgba'
    return { width, height, format, data: format === 'png' ? pngDataUrl(pixels, width, height) : base64(pixels), renderMs, readMs }
  }

  const api: HeadlessApi = {
    ready: true,
    renderFrame(raw, compositionId, frame, pass = 'color', options = {}) {
      const result = queue.then(() => render(raw, compositionId, frame, pass, options))
      queue = result.catch(() => {})
      return result
    },
    dispose() {
      renderer?.dispose()
      renderer = null
    },
  }
  target.lattice = api
  return api
}
