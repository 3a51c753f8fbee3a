import { open } from 'node:fs/promises'
import { AppError } from '../../shared/errors'
import { loadFileType, loadSharp } from './libraries'

export type MediaKind = 'image' | 'video' | 'audio'

export interface DetectedMedia {
  kind: MediaKind
  mime: string
  ext: string
}

interface Accepted {
  kind: MediaKind
  /** For images: the sharp input format that must be available to decode it. */
  sharpFormat?: string
}

/**
 * What uploads may be, keyed by the MIME type file-type reports from the content. Containers are
 * provisionally 'video'; probeMedia turns audio-only ones into 'audio'.
 */
const ACCEPTED: Record<string, Accepted> = {
  'image/png': { kind: 'image', sharpFormat: 'png' },
  'image/apng': { kind: 'image', sharpFormat: 'png' },
  'image/jpeg': { kind: 'image', sharpFormat: 'jpeg' },
  'image/webp': { kind: 'image', sharpFormat: 'webp' },
  'image/gif': { kind: 'image', sharpFormat: 'gif' },
  'image/avif': { kind: 'image', sharpFormat: 'heif' },
  'image/tiff': { kind: 'image', sharpFormat: 'tiff' },
  // Only libvips builds with ImageMagick read BMP; sharp's prebuilt binaries do not.
  'image/bmp': { kind: 'image', sharpFormat: 'magick' },
  'video/mp4': { kind: 'video' },
  'video/x-m4v': { kind: 'video' },
  'video/quicktime': { kind: 'video' },
  'video/webm': { kind: 'video' },
  'video/matroska': { kind: 'video' },
  'video/vnd.avi': { kind: 'video' },
  'audio/wav': { kind: 'audio' },
  'audio/mpeg': { kind: 'audio' },
  'audio/flac': { kind: 'audio' },
  'audio/ogg': { kind: 'audio' },
  'audio/ogg; codecs=opus': { kind: 'audio' },
  'audio/x-m4a': { kind: 'audio' },
  'audio/mp4': { kind: 'audio' },
  'audio/aac': { kind: 'audio' },
}

export const ACCEPTED_DESCRIPTION =
  'images (PNG, JPEG, WebP, GIF, AVIF, TIFF), video (MP4, MOV, WebM, MKV, AVI) and audio (WAV, MP3, FLAC, OGG/Opus, M4A/AAC)'

/** OpenEXR's magic number; file-type does not know it, but compositing users will try it. */
const EXR_MAGIC = [0x76, 0x2f, 0x31, 0x01]

/** Decides what a file is from its bytes only: a name or a browser-sent type can lie. */
export async function detectMediaType(filePath: string): Promise<DetectedMedia> {
  const found = await (await loadFileType()).fileTypeFromFile(filePath)
  if (!found) {
    if (await startsWith(filePath, EXR_MAGIC)) {
      throw unsupported('This is an OpenEXR image, which cannot be read yet. Convert it to 16-bit PNG or TIFF and upload that.')
    }
    throw unsupported(`The file's type could not be recognised from its content. Upload ${ACCEPTED_DESCRIPTION}.`)
  }
  const accepted = ACCEPTED[found.mime]
  if (!accepted) {
    throw unsupported(`${describe(found.ext, found.mime)} files are not supported. Upload ${ACCEPTED_DESCRIPTION}.`)
  }
  if (accepted.sharpFormat && !(await sharpCanRead(accepted.sharpFormat))) {
    throw unsupported(`${describe(found.ext, found.mime)} images cannot be read by this server's image library. Convert it to PNG and upload that.`)
  }
  return { kind: accepted.kind, mime: found.mime, ext: found.ext }
}

async function sharpCanRead(format: string): Promise<boolean> {
  const info = ((await loadSharp()).format as unknown as Record<string, { input?: { file?: boolean } } | undefined>)[format]
  return info?.input?.file === true
}

function describe(ext: string, mime: string): string {
  return `${ext.toUpperCase()} (${mime})`
}

function unsupported(message: string): AppError {
  return new AppError('UNSUPPORTED_MEDIA_TYPE', message)
}

async function startsWith(filePath: string, magic: number[]): Promise<boolean> {
  const handle = await open(filePath, 'r')
  try {
    const buffer = Buffer.alloc(magic.length)
    const { bytesRead } = await handle.read(buffer, 0, magic.length, 0)
    return bytesRead === magic.length && magic.every((byte, i) => buffer[i] === byte)
  } finally {
    await handle.close()
  }
}
