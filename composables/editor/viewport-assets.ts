import type { AssetSource } from '~/renderer'

/**
 * Loads an asset for the viewport's renderer from the signed-in session: images decoded to
 * straight-alpha bitmaps, videos as elements streamed with range requests (never downloaded whole).
 */
export async function loadViewportAsset(baseURL: string, assetId: string): Promise<AssetSource> {
  const url = `${baseURL.replace(/\/$/, '')}/api/assets/${encodeURIComponent(assetId)}/file`
  const head = await fetch(url, { method: 'HEAD', credentials: 'same-origin' })
  if (!head.ok) throw new Error(`Asset ${assetId} could not be loaded (HTTP ${head.status}).`)
  const type = head.headers.get('content-type') ?? ''
  if (type.startsWith('video/')) {
    const video = document.createElement('video')
    video.muted = true
    video.preload = 'auto'
    video.playsInline = true
    video.src = url
    await new Promise<void>((resolve, reject) => {
      video.addEventListener('loadeddata', () => resolve(), { once: true })
      video.addEventListener('error', () => reject(new Error(`Video asset ${assetId} could not be decoded by this browser.`)), { once: true })
    })
    return video
  }
  const response = await fetch(url, { credentials: 'same-origin' })
  if (!response.ok) throw new Error(`Asset ${assetId} could not be loaded (HTTP ${response.status}).`)
  return createImageBitmap(await response.blob(), { premultiplyAlpha: 'none', colorSpaceConversion: 'none' })
}
