import type { ProjectDocument } from '../shared/project'

/**
 * What an asset id resolves to. Images and canvases are used as they are; video elements are
 * seeked to each frame's source time. ImageBitmaps must be created with
 * `premultiplyAlpha: 'none'` (WebGL uploads them as they are; every other source is uploaded
 * with straight alpha and premultiplied in the shader).
 */
export type AssetSource = ImageBitmap | HTMLImageElement | HTMLVideoElement | HTMLCanvasElement | OffscreenCanvas

export type LoadAsset = (assetId: string) => Promise<AssetSource> | AssetSource

export interface RendererOptions {
  /** Where `renderFrame` also presents its result; without one the renderer draws off-screen only. */
  canvas?: HTMLCanvasElement | OffscreenCanvas
  /** Output size in pixels; compositions of another size are scaled to it. */
  width: number
  height: number
  loadImage: LoadAsset
  /** Colour target precision (see ColorPrecision in gpu.ts); default `auto`. */
  precision?: 'auto' | 'half' | 'byte'
}

/**
 * - `color`: the composited picture, straight (not premultiplied) RGBA.
 * - `depth`: distance from the camera of 3D and depth layers, grey, near = white, far and
 *   empty = black; normalised between `range` ([near, far] in composition pixels) when given,
 *   else between the nearest and farthest depth visible in this frame.
 * - `matte`: the coverage (alpha incl. masks, track matte and opacity) of one layer, white = covered.
 */
export type RenderPass =
  | 'color'
  | 'depth'
  | { type: 'color' }
  | { type: 'depth'; range?: [number, number] }
  | { type: 'matte'; layerId: string }

export interface Renderer {
  readonly width: number
  readonly height: number
  /** Draws `compositionId` of `document` at `frame` (fractional frames allowed). */
  renderFrame(document: Pick<ProjectDocument, 'compositions'>, compositionId: string, frame: number, pass?: RenderPass): Promise<void>
  /** The last rendered frame, RGBA, rows from the top. */
  readPixels(): Uint8ClampedArray
  /**
   * The last depth pass before it became grey levels: eye-space distance along the camera's axis
   * (composition pixels) per pixel, 0 where no 3D or depth layer covers it; rows from the top.
   */
  readDepth(): Float32Array
  /** Changes the output size (keeps loaded assets). */
  resize(width: number, height: number): void
  /** Forgets loaded assets (all, or the given ids) so the next frame asks `loadImage` again. */
  invalidateAssets(assetIds?: string[]): void
  dispose(): void
}
