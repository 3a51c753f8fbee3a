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

/** One pass of an export: its frames go to `<bridge>/frames/<frame>/<key>`. */
export interface ExportPassSpec {
  key: string
  /** `depth` sends eye distances (float32), the others straight RGBA bytes. */
  pass: { type: 'color' } | { type: 'depth' } | { type: 'matte'; layerId: string }
}

/**
 * A server-side export's instructions to the page. `bridge` is the exporting server's local
 * frame bridge (with this export's secret in its path): the document and assets are read from it
 * and every frame is posted to it as raw bytes, never through the DevTools protocol.
 */
export interface ExportFramesRequest {
  bridge: string
  compositionId: string
  start: number
  end: number
  width: number
  height: number
  passes: ExportPassSpec[]
  precision?: HeadlessRenderOptions['precision']
}

/** Milliseconds spent in all: drawing, reading pixels back, and waiting for the bridge to take frames. */
export interface ExportFramesResult {
  frames: number
  renderMs: number
  readMs: number
  waitMs: number
}

export interface HeadlessApi {
  ready: true
  renderFrame(document: unknown, compositionId: string, frame: number, pass?: 'color' | 'depth' | 'matte' | RenderPass, options?: HeadlessRenderOptions): Promise<HeadlessRenderResult>
  /** Nearest and farthest eye distance over `frames` (rendered at width × height), or null if nothing is 3D. */
  measureDepth(request: Omit<ExportFramesRequest, 'passes' | 'start' | 'end'> & { frames: number[] }): Promise<[number, number] | null>
  /** Renders frames [start, end) in every pass and posts each to the bridge; resolves when all were taken. */
  exportFrames(request: ExportFramesRequest): Promise<ExportFramesResult>
  dispose(): void
}

/** Frames posted but not yet taken by the bridge: rendering frame n+1 overlaps sending frame n. */
const POSTS_IN_FLIGHT = 2

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

async function loadAsset(assetId: string, assets: Record<string, string>, base: string): Promise<AssetSource> {
  const given = assets[assetId]
  if (given) return loadFromUrl(given)
  const response = await fetch(`${base}${encodeURIComponent(assetId)}${base === ASSET_ROUTE ? '/file' : ''}`, { credentials: 'same-origin' })
  if (!response.ok) throw new Error(`asset ${assetId}: HTTP ${response.status}`)
  const blob = await response.blob()
  return loadFromUrl(URL.createObjectURL(blob), blob.type)
}

const ASSET_ROUTE = '/api/assets/'

async function post(url: string, body: ArrayBufferView): Promise<void> {
  // No content type: a simple cross-origin request, without a preflight per frame.
  const response = await fetch(url, { method: 'POST', body: new Blob([body as BlobPart]) })
  if (!response.ok) throw new Error(`the export stopped taking frames: ${await response.text().catch(() => response.status)}`)
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
  /** Where assets not given as URLs are fetched: the app's route, or an export's bridge. */
  let assetBase = ASSET_ROUTE
  let queue: Promise<unknown> = Promise.resolve()
  let exportDocument: { bridge: string; raw: unknown } | null = null

  const useRenderer = (width: number, height: number, precision: HeadlessRenderOptions['precision'] = 'auto', base = ASSET_ROUTE): Renderer => {
    if (renderer && (precision !== rendererPrecision || base !== assetBase)) {
      renderer.dispose()
      renderer = null
    }
    rendererPrecision = precision
    assetBase = base
    renderer ??= createRenderer({ width, height, precision, loadImage: (id) => loadAsset(id, assets, assetBase) })
    renderer.resize(width, height)
    return renderer
  }

  /** The export's document, fetched from its bridge once (it may be megabytes). */
  const documentOf = async (bridge: string) => {
    if (exportDocument?.bridge !== bridge) {
      const response = await fetch(`${bridge}/document`)
      if (!response.ok) throw new Error(`cannot read the export's document: HTTP ${response.status}`)
      exportDocument = { bridge, raw: parseDocument(await response.json()).document }
    }
    return exportDocument.raw as ReturnType<typeof parseDocument>['document']
  }

  const measureDepth: HeadlessApi['measureDepth'] = async (request) => {
    const document = await documentOf(request.bridge)
    const target = useRenderer(request.width, request.height, request.precision, `${request.bridge}/assets/`)
    let near = Infinity
    let far = -Infinity
    for (const frame of request.frames) {
      await target.renderFrame(document, request.compositionId, frame, 'depth')
      for (const z of target.readDepth()) {
        if (z <= 0) continue
        if (z < near) near = z
        if (z > far) far = z
      }
    }
    return Number.isFinite(near) ? [near, far] : null
  }

  const exportFrames: HeadlessApi['exportFrames'] = async (request) => {
    const document = await documentOf(request.bridge)
    const target = useRenderer(request.width, request.height, request.precision, `${request.bridge}/assets/`)
    const pending: Promise<void>[] = []
    const spent = { renderMs: 0, readMs: 0, waitMs: 0 }
    for (let frame = request.start; frame < request.end; frame++) {
      for (const { key, pass } of request.passes) {
        const started = performance.now()
        await target.renderFrame(document, request.compositionId, frame, pass)
        const rendered = performance.now()
        const bytes = pass.type === 'depth' ? target.readDepth() : target.readPixels()
        const read = performance.now()
        pending.push(post(`${request.bridge}/frames/${frame}/${encodeURIComponent(key)}`, bytes))
        // Backpressure: the bridge answers once the encoder took the frame.
        if (pending.length >= POSTS_IN_FLIGHT) await pending.shift()
        spent.renderMs += rendered - started
        spent.readMs += read - rendered
        spent.waitMs += performance.now() - read
      }
    }
    await Promise.all(pending)
    return { frames: request.end - request.start, ...spent }
  }

  const render = async (raw: unknown, compositionId: string, frame: number, pass: 'color' | 'depth' | 'matte' | RenderPass, options: HeadlessRenderOptions) => {
    const { document } = parseDocument(raw)
    const composition = document.compositions[compositionId]
    if (!composition) throw new Error(`composition "${compositionId}" is not in the document`)
    const width = options.width ?? composition.width
    const height = options.height ?? composition.height
    const renderer = useRenderer(width, height, options.precision ?? 'auto')
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
    measureDepth(request) {
      const result = queue.then(() => measureDepth(request))
      queue = result.catch(() => {})
      return result
    },
    exportFrames(request) {
      const result = queue.then(() => exportFrames(request))
      queue = result.catch(() => {})
      return result
    },
    dispose() {
      renderer?.dispose()
      renderer = null
      exportDocument = null
    },
  }
  target.lattice = api
  return api
}
