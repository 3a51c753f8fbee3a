/**
 * The compositor's renderer (browser only, WebGL2 through three.js): draws any composition of a
 * project document at any frame as colour, depth or a layer's matte. See create-renderer.ts.
 */
export { createRenderer } from './create-renderer'
export { pngBlob, pngDataUrl } from './png'
export type { AssetSource, LoadAsset, RenderPass, Renderer, RendererOptions } from './types'
export { installHeadlessApi, type ExportFramesRequest, type ExportPassSpec, type HeadlessApi, type HeadlessRenderOptions, type HeadlessRenderResult } from './headless'
