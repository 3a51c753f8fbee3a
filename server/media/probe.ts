import type { Metadata } from 'sharp'
import { AppError } from '../../shared/errors'
import type { DetectedMedia, MediaKind } from './detect'
import { ffprobe, MediaReadError, type ProbeResult, type ProbeStream } from './ffmpeg'
import { loadSharp } from './libraries'

export interface ImageMetadata {
  /** Display size: EXIF orientation already applied, as the thumbnail and the compositor see it. */
  width: number
  height: number
  format: string
  hasAlpha: boolean
  /** The EXIF orientation tag (1–8), when the file has one. */
  orientation?: number
  /** Frame count of an animated GIF/WebP/APNG; absent for still images. */
  pages?: number
}

export interface AudioMetadata {
  durationSeconds: number
  codec: string
  sampleRate: number
  channels: number
}

export interface VideoMetadata {
  /** Display size: a rotated (portrait phone) video reports its upright width and height. */
  width: number
  height: number
  durationSeconds: number
  fps: number
  frameCount: number
  codec: string
  hasAudio: boolean
  audio?: Omit<AudioMetadata, 'durationSeconds'>
}

export type ProbedMedia =
  | { kind: 'image'; mime: string; metadata: ImageMetadata }
  | { kind: 'video'; mime: string; metadata: VideoMetadata }
  | { kind: 'audio'; mime: string; metadata: AudioMetadata }

const REEXPORT: Record<MediaKind, string> = {
  image: 'Re-save it as PNG or JPEG and upload it again.',
  video: 'Re-export it (for example as H.264 MP4) and upload it again.',
  audio: 'Re-export it (for example as WAV or MP3) and upload it again.',
}

/** A file that is the right type but broken: says what ffmpeg/sharp saw and what to do. */
export function unreadable(kind: MediaKind, reason: string): AppError {
  return new AppError('BAD_REQUEST', `The file could not be read as ${kind}: ${reason}. ${REEXPORT[kind]}`)
}

export async function probeImage(filePath: string): Promise<ImageMetadata> {
  const sharp = await loadSharp()
  let meta: Metadata
  try {
    meta = await sharp(filePath).metadata()
  } catch (error) {
    throw unreadable('image', error instanceof Error ? error.message : String(error))
  }
  const { width, height } = meta.autoOrient ?? meta
  if (!width || !height) throw unreadable('image', 'it has no pixel size')
  return {
    width,
    height,
    format: meta.format,
    hasAlpha: meta.hasAlpha,
    ...(meta.orientation ? { orientation: meta.orientation } : {}),
    ...(meta.pages && meta.pages > 1 ? { pages: meta.pages } : {}),
  }
}

export async function probeVideo(filePath: string): Promise<VideoMetadata> {
  const video = videoFromProbe(await probeAs('video', filePath))
  if (!video) throw unreadable('video', 'it contains no video stream')
  return video
}

export async function probeAudio(filePath: string): Promise<AudioMetadata> {
  const audio = audioFromProbe(await probeAs('audio', filePath))
  if (!audio) throw unreadable('audio', 'it contains no audio stream')
  return audio
}

/**
 * Probes by detected kind. Containers (MP4, WebM, MKV...) are detected as video; one without a
 * real video stream (cover art does not count) is really audio and is reported as such.
 */
export async function probeMedia(filePath: string, detected: DetectedMedia): Promise<ProbedMedia> {
  if (detected.kind === 'image') return { kind: 'image', mime: detected.mime, metadata: await probeImage(filePath) }
  const probe = await probeAs(detected.kind, filePath)
  if (detected.kind === 'video') {
    const video = videoFromProbe(probe)
    if (video) return { kind: 'video', mime: detected.mime, metadata: video }
  }
  const audio = audioFromProbe(probe)
  if (!audio) throw unreadable(detected.kind, 'it contains no video or audio stream')
  return { kind: 'audio', mime: detected.mime.replace(/^video\//, 'audio/'), metadata: audio }
}

async function probeAs(kind: MediaKind, filePath: string): Promise<ProbeResult> {
  try {
    return await ffprobe(filePath)
  } catch (error) {
    throw error instanceof MediaReadError ? unreadable(kind, error.reason) : error
  }
}

function videoFromProbe(probe: ProbeResult): VideoMetadata | null {
  const stream = probe.streams.find((s) => s.type === 'video' && !s.attachedPic)
  if (!stream) return null
  if (!stream.width || !stream.height) throw unreadable('video', 'its video stream has no frame size')
  const fps = frameRate(stream)
  if (!fps) throw unreadable('video', 'its frame rate is unknown')
  const durationSeconds = stream.durationSeconds ?? probe.durationSeconds ?? (stream.nbFrames ? stream.nbFrames / fps : undefined)
  if (!durationSeconds) throw unreadable('video', 'its duration is unknown')
  const audio = probe.streams.find((s) => s.type === 'audio')
  const upright = Math.abs(stream.rotation) % 180 === 90
  return {
    width: upright ? stream.height : stream.width,
    height: upright ? stream.width : stream.height,
    durationSeconds,
    fps,
    frameCount: stream.nbFrames ?? Math.max(1, Math.round(durationSeconds * fps)),
    codec: stream.codec,
    hasAudio: audio !== undefined,
    ...(audio ? { audio: { codec: audio.codec, sampleRate: audio.sampleRate ?? 0, channels: audio.channels ?? 0 } } : {}),
  }
}

function audioFromProbe(probe: ProbeResult): AudioMetadata | null {
  const stream = probe.streams.find((s) => s.type === 'audio')
  if (!stream) return null
  const durationSeconds = stream.durationSeconds ?? probe.durationSeconds
  if (!durationSeconds) throw unreadable('audio', 'its duration is unknown')
  return {
    durationSeconds,
    codec: stream.codec,
    sampleRate: stream.sampleRate ?? 0,
    channels: stream.channels ?? 0,
  }
}

/**
 * r_frame_rate is the exact nominal rate (30000/1001) but for variable-rate files it can be a
 * timebase like 90000/1; avg_frame_rate is then the honest one. Prefer r when the two agree.
 */
export function frameRate(stream: Pick<ProbeStream, 'rFrameRate' | 'avgFrameRate'>): number | undefined {
  const r = parseRate(stream.rFrameRate)
  const avg = parseRate(stream.avgFrameRate)
  if (r && avg) return Math.abs(r - avg) / avg < 0.01 ? r : avg
  return r ?? avg
}

export function parseRate(rate: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(?:\/(\d+))?$/.exec(rate?.trim() ?? '')
  if (!match) return undefined
  const value = Number(match[1]) / (match[2] ? Number(match[2]) : 1)
  return Number.isFinite(value) && value > 0 && value <= 1000 ? value : undefined
}
