import { randomBytes } from 'node:crypto'
import { rename, rm, stat } from 'node:fs/promises'
import type { Sharp } from 'sharp'
import type { MediaKind } from './detect'
import { extractFrame, MediaReadError, renderWaveform } from './ffmpeg'
import { loadSharp } from './libraries'
import { probeVideo, unreadable } from './probe'

export interface ThumbnailOptions {
  /** The thumbnail fits inside maxSize×maxSize; smaller sources are not enlarged. */
  maxSize?: number
  /** A video's duration when the caller has probed it already (saves a second ffprobe). */
  durationSeconds?: number
}

export interface ThumbnailSize {
  width: number
  height: number
}

const WEBP_QUALITY = 80
/** Waveforms sit on the same dark tile as video frames so they read the same in the library. */
const WAVEFORM_BACKGROUND = '#111827'

/**
 * Writes a WebP thumbnail to `outPath` and returns its size, or null when the kind has none.
 * Readers never see a half-written file: output goes to a temp name next to `outPath` and is
 * renamed into place, and every temp file is removed whether or not this succeeds.
 */
export async function makeThumbnail(
  filePath: string,
  kind: MediaKind,
  outPath: string,
  options: ThumbnailOptions = {},
): Promise<ThumbnailSize | null> {
  const maxSize = options.maxSize ?? 320
  const sharp = await loadSharp()
  if (kind === 'image') {
    // sharp reads only the first frame unless told otherwise: an animated GIF gives its first frame.
    return writeWebp(sharp(filePath), outPath, maxSize, 'image')
  }
  if (kind === 'video') {
    const duration = options.durationSeconds ?? (await probeVideo(filePath)).durationSeconds
    return withTempPng(outPath, async (png) => {
      await grabFrame(filePath, duration, png)
      return writeWebp(sharp(png), outPath, maxSize, 'video')
    })
  }
  return withTempPng(outPath, async (png) => {
    await readingAs('audio', renderWaveform(filePath, png, maxSize, Math.max(1, Math.round(maxSize / 2))))
    return writeWebp(sharp(png).flatten({ background: WAVEFORM_BACKGROUND }), outPath, maxSize, 'audio')
  })
}

/** A frame at 10% of the way in skips fade-ins and black leaders, yet exists in short clips. */
export function thumbnailTime(durationSeconds: number): number {
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0) return 0
  return Math.min(Math.max(0, durationSeconds * 0.1), durationSeconds * 0.99)
}

async function grabFrame(filePath: string, duration: number, png: string): Promise<void> {
  const at = thumbnailTime(duration)
  await readingAs('video', extractFrame(filePath, at, png))
  if (await exists(png)) return
  // Seeking past the last decodable frame makes ffmpeg succeed without output; the start always has one.
  if (at > 0) await readingAs('video', extractFrame(filePath, 0, png))
  if (!(await exists(png))) throw unreadable('video', 'no frame could be decoded')
}

async function writeWebp(image: Sharp, outPath: string, maxSize: number, kind: MediaKind): Promise<ThumbnailSize> {
  const tmp = tempPath(outPath)
  try {
    const info = await image
      .autoOrient()
      .resize({ width: maxSize, height: maxSize, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: WEBP_QUALITY })
      .toFile(tmp)
      .catch((error: unknown) => {
        throw unreadable(kind, error instanceof Error ? error.message : String(error))
      })
    await rename(tmp, outPath)
    return { width: info.width, height: info.height }
  } finally {
    await rm(tmp, { force: true })
  }
}

async function withTempPng<T>(outPath: string, run: (png: string) => Promise<T>): Promise<T> {
  const png = `${tempPath(outPath)}.png`
  try {
    return await run(png)
  } finally {
    await rm(png, { force: true })
  }
}

async function readingAs<T>(kind: MediaKind, work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    throw error instanceof MediaReadError ? unreadable(kind, error.reason) : error
  }
}

function tempPath(outPath: string): string {
  return `${outPath}.tmp-${randomBytes(6).toString('hex')}`
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isFile() === true
}
