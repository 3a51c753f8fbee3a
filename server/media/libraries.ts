import type Ffmpeg from 'fluent-ffmpeg'
import type sharp from 'sharp'

/**
 * The media libraries, loaded when the first file is read rather than at start-up: sharp brings
 * libvips and its thread pool, and with file-type and fluent-ffmpeg that is ~15 MB resident and
 * ~0.4 s of module loading (on the bench's 2 cores) before a server can answer anything.
 */
let loadingSharp: Promise<typeof sharp> | undefined
let loadingFfmpeg: Promise<typeof Ffmpeg> | undefined
let loadingFileType: Promise<typeof import('file-type')> | undefined

export function loadSharp(): Promise<typeof sharp> {
  return (loadingSharp ??= import('sharp').then((m) => m.default))
}

export function loadFfmpeg(): Promise<typeof Ffmpeg> {
  return (loadingFfmpeg ??= import('fluent-ffmpeg').then((m) => m.default))
}

export function loadFileType(): Promise<typeof import('file-type')> {
  return (loadingFileType ??= import('file-type'))
}
