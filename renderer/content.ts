import { CanvasTexture, type Texture } from 'three'
import type { LayerState } from '../shared/engine'
import type { AssetStore } from './assets'
import type { Canvas2D } from './canvas'
import { premultipliedColor } from './color'
import type { Bounds } from './geometry'
import { configureTexture } from './gpu'
import { rasterizeShapes } from './shape-raster'
import { rasterizeText } from './text-raster'

/**
 * What a layer shows, in its own space: a picture (or flat colour) spanning `bounds`, plus the
 * depth map of depth layers. `dispose` frees what was made for this frame only.
 */
export interface LayerContent {
  bounds: Bounds
  map: Texture | null
  /** Premultiplied colour, used when there is no map. */
  color: [number, number, number, number]
  premultiplied: boolean
  depth?: { map: Texture; displacement: number; invert: boolean; segments: number }
  dispose(): void
}

/** Depth layers: one grid vertex per this many source pixels, at most MAX_SEGMENTS per side. */
const PIXELS_PER_SEGMENT = 4
const MAX_SEGMENTS = 256

const noop = () => {}

/**
 * Text and shape rasters keyed by their resolved data, so unchanged layers are not redrawn every
 * frame. Trimmed between frames (never during one, so textures in use stay alive).
 */
export class RasterCache {
  private entries = new Map<string, { texture: Texture; bounds: Bounds } | null>()
  constructor(private readonly limit = 128) {}

  get(key: string, make: () => { canvas: Canvas2D; bounds: Bounds } | null): { texture: Texture; bounds: Bounds } | null {
    if (this.entries.has(key)) {
      const hit = this.entries.get(key) ?? null
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit
    }
    const raster = make()
    const entry = raster && { texture: configureTexture(new CanvasTexture(raster.canvas as never)), bounds: raster.bounds }
    this.entries.set(key, entry)
    return entry
  }

  trim(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.limit) break
      entry?.texture.dispose()
      this.entries.delete(key)
    }
  }

  dispose(): void {
    for (const entry of this.entries.values()) entry?.texture.dispose()
    this.entries.clear()
  }
}

export interface ContentSources {
  assets: AssetStore
  rasters: RasterCache
  /** Renders a nested composition; returns its texture (premultiplied) and a release function. */
  nested(state: NonNullable<LayerState['nested']>): Promise<{ texture: Texture; release(): void }>
}

/** The content of one layer at this frame, or null for layers that draw nothing (camera, null, audio, adjustment, empty text). */
export async function layerContent(layer: LayerState, sources: ContentSources): Promise<LayerContent | null> {
  switch (layer.kind) {
    case 'solid':
      return {
        bounds: { x: 0, y: 0, width: layer.data.width, height: layer.data.height },
        map: null,
        color: premultipliedColor(layer.data.color),
        premultiplied: true,
        dispose: noop,
      }
    case 'image': {
      const picture = await sources.assets.picture(layer.data.assetId)
      return { bounds: { x: 0, y: 0, width: picture.width, height: picture.height }, map: picture.texture, color: [0, 0, 0, 0], premultiplied: picture.premultiplied, dispose: noop }
    }
    case 'video': {
      const frame = await sources.assets.videoFrame(layer.data.assetId, layer.source?.time ?? 0, layer.data.loop)
      return {
        bounds: { x: 0, y: 0, width: frame.width, height: frame.height },
        map: frame.texture,
        color: [0, 0, 0, 0],
        premultiplied: frame.premultiplied,
        dispose: () => frame.texture.dispose(),
      }
    }
    case 'text':
    case 'shape': {
      const key = `${layer.kind}:${JSON.stringify(layer.data)}`
      const raster = sources.rasters.get(key, () => (layer.kind === 'text' ? rasterizeText(layer.data) : layer.kind === 'shape' ? rasterizeShapes(layer.data) : null))
      if (!raster) return null
      return { bounds: raster.bounds, map: raster.texture, color: [0, 0, 0, 0], premultiplied: false, dispose: noop }
    }
    case 'depth': {
      const [picture, depth] = await Promise.all([sources.assets.picture(layer.data.assetId), sources.assets.picture(layer.data.depthAssetId)])
      const segments = Math.min(MAX_SEGMENTS, Math.max(1, Math.ceil(Math.max(picture.width, picture.height) / PIXELS_PER_SEGMENT)))
      return {
        bounds: { x: 0, y: 0, width: picture.width, height: picture.height },
        map: picture.texture,
        color: [0, 0, 0, 0],
        premultiplied: picture.premultiplied,
        depth: { map: depth.texture, displacement: layer.data.displacement, invert: layer.data.invert, segments },
        dispose: noop,
      }
    }
    case 'nestedComposition': {
      if (!layer.nested) return null
      const child = layer.nested.composition
      const rendered = await sources.nested(layer.nested)
      return {
        bounds: { x: 0, y: 0, width: child.width, height: child.height },
        map: rendered.texture,
        color: [0, 0, 0, 0],
        premultiplied: true,
        dispose: rendered.release,
      }
    }
    default:
      return null
  }
}
