import { Texture } from 'three'
import { configureTexture } from './gpu'
import type { AssetSource, LoadAsset } from './types'

export interface Picture {
  texture: Texture
  width: number
  height: number
  /** Whether the texture holds premultiplied colour. */
  premultiplied: boolean
}

export function sourceSize(source: AssetSource): { width: number; height: number } {
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement) return { width: source.videoWidth, height: source.videoHeight }
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) return { width: source.naturalWidth, height: source.naturalHeight }
  return { width: source.width, height: source.height }
}

const isVideo = (source: AssetSource): source is HTMLVideoElement =>
  typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement

/** Video frames are timestamped to the container's time base: aim 1 ms past the frame's start. */
const SEEK_EPSILON = 1e-3

function once(target: EventTarget, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => { target.removeEventListener('error', failed); resolve() }
    const failed = () => { target.removeEventListener(event, done); reject(new Error(`video failed while waiting for ${event}`)) }
    target.addEventListener(event, done, { once: true })
    target.addEventListener('error', failed, { once: true })
  })
}

/**
 * Seeks a video to `time` seconds and waits until that frame is decoded ('seeked'). Looping
 * videos wrap around their duration; others hold their first and last frames.
 */
export async function seekVideo(video: HTMLVideoElement, time: number, loop: boolean): Promise<void> {
  if (video.readyState < 1) await once(video, 'loadedmetadata')
  if (!video.paused) video.pause()
  const duration = Number.isFinite(video.duration) ? video.duration : Infinity
  let t = Math.max(0, time)
  if (loop && Number.isFinite(duration) && duration > 0) t %= duration
  t = Math.min(t + SEEK_EPSILON, duration)
  if (Math.abs(video.currentTime - t) < 1e-6 && !video.seeking && video.readyState >= 2) return
  const seeked = once(video, 'seeked')
  const presented = framePresented(video)
  video.currentTime = t
  await seeked
  // Chromium may fire 'seeked' before the new frame replaces the old one on the element; a
  // snapshot taken then shows the previous frame. Wait for the frame itself when we can.
  await presented
  await currentFrameLoaded(video)
}

/**
 * Resolves once the element holds the picture of its current position: after a seek (or while a
 * freshly dropped clip is still arriving) it may know the position before the frame's data is
 * there, and a snapshot taken then fails to decode.
 */
async function currentFrameLoaded(video: HTMLVideoElement): Promise<void> {
  // Bounded, so a stream that stops arriving ends in the snapshot's own error instead of a hang.
  for (let tries = 0; video.readyState < 2 && tries < 20; tries++) {
    await Promise.race([once(video, 'loadeddata'), once(video, 'canplay'), once(video, 'progress'), new Promise((resolve) => setTimeout(resolve, 250))])
  }
}

/** Resolves when the element presents its next frame, or after a short grace where that is not reported. */
function framePresented(video: HTMLVideoElement): Promise<void> {
  if (typeof video.requestVideoFrameCallback !== 'function') return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 500)
    video.requestVideoFrameCallback(() => { clearTimeout(timer); resolve() })
  })
}

/**
 * The element's current frame as a bitmap. While a clip's first frames are still arriving the
 * element can report its data loaded before it has a picture to give ("the source image could
 * not be decoded"); the next presented frame is waited for, a few times, before that is an error.
 */
async function snapshot(video: HTMLVideoElement): Promise<ImageBitmap> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createImageBitmap(video, { premultiplyAlpha: 'none' })
    } catch (error) {
      if (attempt >= 4) throw error
      await framePresented(video)
      await currentFrameLoaded(video)
    }
  }
}

/**
 * Loaded assets by id: sources are asked for once (until invalidated) and still pictures keep
 * one texture. Video frames become a new texture per use (a snapshot of the seeked frame), so
 * two layers showing one video at different times each get their own frame.
 */
export class AssetStore {
  private sources = new Map<string, Promise<AssetSource>>()
  private pictures = new Map<string, Picture>()
  /** Seeks of one video element run one after another. */
  private videoQueue = new Map<string, Promise<unknown>>()

  constructor(private readonly load: LoadAsset) {}

  source(assetId: string): Promise<AssetSource> {
    let pending = this.sources.get(assetId)
    if (!pending) {
      pending = Promise.resolve(this.load(assetId))
      this.sources.set(assetId, pending)
      pending.catch(() => this.sources.delete(assetId))
    }
    return pending
  }

  /** A still picture of the asset (a video's current frame if it is a video). */
  async picture(assetId: string): Promise<Picture> {
    const cached = this.pictures.get(assetId)
    if (cached) return cached
    const source = await this.source(assetId)
    if (isVideo(source)) return this.videoFrame(assetId, 0, false)
    const { width, height } = sourceSize(source)
    const picture = { texture: configureTexture(new Texture(source as never)), width, height, premultiplied: false }
    this.pictures.set(assetId, picture)
    return picture
  }

  /** The frame of a video asset at `time` seconds, as a texture the caller disposes. */
  async videoFrame(assetId: string, time: number, loop: boolean): Promise<Picture> {
    const source = await this.source(assetId)
    if (!isVideo(source)) {
      const still = await this.picture(assetId)
      return { ...still, texture: still.texture.clone() }
    }
    const previous = this.videoQueue.get(assetId) ?? Promise.resolve()
    const frame = previous.catch(() => {}).then(async () => {
      await seekVideo(source, time, loop)
      return snapshot(source)
    })
    this.videoQueue.set(assetId, frame)
    const bitmap = await frame
    const texture = configureTexture(new Texture(bitmap as never))
    texture.addEventListener('dispose', () => bitmap.close())
    return { texture, width: bitmap.width, height: bitmap.height, premultiplied: false }
  }

  invalidate(assetIds?: string[]): void {
    const ids = assetIds ?? [...new Set([...this.sources.keys(), ...this.pictures.keys()])]
    for (const id of ids) {
      this.pictures.get(id)?.texture.dispose()
      this.pictures.delete(id)
      this.sources.delete(id)
      this.videoQueue.delete(id)
    }
  }

  dispose(): void {
    this.invalidate()
  }
}
