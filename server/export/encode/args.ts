import { isAbsolute, join } from 'node:path'
import type { SequenceFormat, VideoFormat } from '../../../shared/export/options'
import type { AudioClip, EncoderOptions, FramePixels } from './types'

/**
 * ffmpeg command lines for every export format, as pure functions of the options (no process, no
 * file system), so they can be tested and read on their own. Settings follow
 * shared/reference/export-formats.md (E2), checked against Debian 12's ffmpeg 5.1.
 */

export type EncodePlanInput = Omit<EncoderOptions, 'signal'>

export interface EncodePlan {
  /** Everything after the ffmpeg binary; raw frames are read from stdin. */
  args: string[]
  mime: string
  /** The video file, or a sequence's printf-style pattern. */
  output: string
  sequence: boolean
}

const VIDEO_CONTAINERS: Record<VideoFormat, { extension: string; mime: string }> = {
  h264: { extension: 'mp4', mime: 'video/mp4' },
  h265: { extension: 'mp4', mime: 'video/mp4' },
  vp9: { extension: 'webm', mime: 'video/webm' },
  prores4444: { extension: 'mov', mime: 'video/quicktime' },
  gif: { extension: 'gif', mime: 'image/gif' },
}

const SEQUENCE_FILES: Record<SequenceFormat, { extension: string; mime: string }> = {
  png: { extension: 'png', mime: 'image/png' },
  jpeg: { extension: 'jpg', mime: 'image/jpeg' },
  png16: { extension: 'png', mime: 'image/png' },
}

const DEFAULT_CRF: Partial<Record<VideoFormat, number>> = { h264: 18, h265: 23, vp9: 28 }
/** x264 and x265 stop at 51; libvpx goes to 63. */
const MAX_CRF: Partial<Record<VideoFormat, number>> = { h264: 51, h265: 51, vp9: 63 }

export function bytesPerPixel(pixels: FramePixels): number {
  return pixels === 'rgba' ? 4 : pixels === 'gray16le' ? 2 : 1
}

export function planEncode(options: EncodePlanInput): EncodePlan {
  checkOptions(options)
  const { width, height, fps, pixels, directory, baseName, target } = options
  const head = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y']
  const input = ['-f', 'rawvideo', '-pix_fmt', pixels, '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0']

  if (target.kind === 'sequence') {
    const { extension, mime } = SEQUENCE_FILES[target.format]
    // The image2 muxer numbers from 1 unless told otherwise; frame 0 is file 0.
    const output = join(directory, `${baseName}_%05d.${extension}`)
    return {
      args: [...head, ...input, ...sequenceCodec(target.format, pixels, target.quality), '-start_number', '0', '-f', 'image2', output],
      mime,
      output,
      sequence: true,
    }
  }

  const { extension, mime } = VIDEO_CONTAINERS[target.format]
  const output = join(directory, `${baseName}.${extension}`)
  const clips = options.audio ?? []
  const audio = target.format !== 'gif' && clips.length > 0 ? audioMix(clips, target.format) : null
  return {
    args: [
      ...head,
      ...input,
      ...(audio?.inputs ?? []),
      ...videoCodec(target.format, target.crf),
      ...(audio?.output ?? []),
      '-f', target.format === 'prores4444' ? 'mov' : extension,
      output,
    ],
    mime,
    output,
    sequence: false,
  }
}

/** The files a finished encode of `frames` frames consists of, in frame order. */
export function outputFiles(plan: EncodePlan, frames: number): string[] {
  if (!plan.sequence) return [plan.output]
  return Array.from({ length: frames }, (_, i) => plan.output.replace('%05d', String(i).padStart(5, '0')))
}

/** JPEG quality 1–100 onto ffmpeg's mjpeg scale, 31 (worst) … 2 (best). */
export function jpegQScale(quality: number): number {
  return Math.round(31 - ((quality - 1) * 29) / 99)
}

/**
 * RGB → YUV with the BT.709 matrix in limited range, and the frames tagged so. Tagging alone (E2's
 * `-colorspace bt709 …`) leaves swscale converting with BT.601, which shifts colours once a player
 * honours the tag (pure green decodes as 0,215,0). `setparams` tags the frames themselves, which
 * every encoder here (x264, x265, libvpx, prores_ks) writes into its stream.
 */
const BT709 = 'out_color_matrix=bt709:out_range=tv,setparams=range=tv:colorspace=bt709:color_primaries=bt709:color_trc=bt709'

function videoCodec(format: VideoFormat, crf: number | undefined): string[] {
  const quality = String(crf ?? DEFAULT_CRF[format])
  switch (format) {
    case 'h264':
      // 4:2:0 needs even sizes; compositions are multiples of 8, custom export sizes may not be.
      return ['-vf', `scale=trunc(iw/2)*2:trunc(ih/2)*2:${BT709}`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', quality, '-preset', 'medium', '-movflags', '+faststart']
    case 'h265':
      return [
        '-vf', `scale=trunc(iw/2)*2:trunc(ih/2)*2:${BT709}`, '-c:v', 'libx265', '-pix_fmt', 'yuv420p', '-crf', quality, '-preset', 'medium',
        // x265 prints its own info lines regardless of ffmpeg's log level; errors are all we report.
        '-x265-params', 'log-level=error',
        // hvc1, not hev1: Apple's players refuse the latter.
        '-tag:v', 'hvc1', '-movflags', '+faststart',
      ]
    case 'vp9':
      // Alt-ref frames are incompatible with alpha; -b:v 0 makes CRF constant quality. libvpx's
      // default speed (cpu-used 0) is several times slower than 2 for little gain.
      return ['-vf', `scale=${BT709}`, '-c:v', 'libvpx-vp9', '-pix_fmt', 'yuva420p', '-crf', quality, '-b:v', '0', '-auto-alt-ref', '0', '-row-mt', '1', '-cpu-used', '2']
    case 'prores4444':
      return ['-vf', `scale=${BT709}`, '-c:v', 'prores_ks', '-profile:v', '4444', '-pix_fmt', 'yuva444p10le', '-vendor', 'apl0', '-alpha_bits', '16']
    case 'gif':
      // A GIF palette is built from every frame, so the whole input passes through palettegen first.
      return [
        '-filter_complex',
        '[0:v]split[a][b];[a]palettegen=reserve_transparent=1:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=5:alpha_threshold=128',
        '-loop', '0',
      ]
  }
}

function sequenceCodec(format: SequenceFormat, pixels: FramePixels, quality: number | undefined): string[] {
  switch (format) {
    case 'png':
      return ['-c:v', 'png', '-pix_fmt', pixels === 'rgba' ? 'rgba' : 'gray']
    case 'png16':
      // PNG stores 16-bit samples big-endian; ffmpeg swaps from the little-endian input.
      return ['-c:v', 'png', '-pix_fmt', 'gray16be']
    case 'jpeg':
      return ['-c:v', 'mjpeg', '-q:v', String(jpegQScale(quality ?? 100))]
  }
}

const AUDIO_CODEC: Record<Exclude<VideoFormat, 'gif'>, string[]> = {
  h264: ['-c:a', 'aac', '-b:a', '192k'],
  h265: ['-c:a', 'aac', '-b:a', '192k'],
  vp9: ['-c:a', 'libopus', '-b:a', '128k'],
  prores4444: ['-c:a', 'pcm_s16le'],
}

/**
 * Each clip is cut from its source (atrim), moved to its place on the timeline (adelay), and the
 * clips are summed as they are (amix normalize=0: a lone clip keeps its level instead of being
 * scaled by 1/inputs). The mix is padded with silence and the output cut at the video's end.
 */
function audioMix(clips: AudioClip[], format: Exclude<VideoFormat, 'gif'>): { inputs: string[]; output: string[] } {
  const inputs = clips.flatMap((clip) => ['-i', clip.path])
  const chains = clips.map((clip, i) => {
    const delayMs = Math.round(clip.startSeconds * 1000)
    return `[${i + 1}:a:0]atrim=start=${seconds(clip.offsetSeconds)}:duration=${seconds(clip.durationSeconds)},asetpts=PTS-STARTPTS,`
      + `volume=${clip.volume ?? 1},adelay=delays=${delayMs}:all=1[c${i}]`
  })
  const mix = `${clips.map((_, i) => `[c${i}]`).join('')}amix=inputs=${clips.length}:normalize=0:dropout_transition=0,apad[audio]`
  return {
    inputs,
    output: ['-filter_complex', [...chains, mix].join(';'), '-map', '0:v:0', '-map', '[audio]', ...AUDIO_CODEC[format], '-ar', '48000', '-shortest'],
  }
}

function seconds(value: number): string {
  return value.toFixed(6)
}

function checkOptions(options: EncodePlanInput): void {
  const { width, height, fps, directory, baseName, target } = options
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`Frame size must be whole positive pixels, got ${width}×${height}.`)
  }
  if (!Number.isFinite(fps) || fps <= 0) throw new Error(`Frame rate must be positive, got ${fps}.`)
  if (!isAbsolute(directory)) throw new Error(`The output directory must be an absolute path, got "${directory}".`)
  // '%' would be read as part of image2's frame-number pattern.
  if (!baseName || baseName === '.' || baseName === '..' || /[/\\%\0]/.test(baseName)) {
    throw new Error(`"${baseName}" is not a plain file name (no "/", "\\", "%", "." or "..").`)
  }
  if (target.kind === 'video' && target.crf !== undefined) {
    // ProRes and GIF have no CRF; the option is ignored for them.
    const max = MAX_CRF[target.format]
    if (max !== undefined && !(Number.isInteger(target.crf) && target.crf >= 0 && target.crf <= max)) {
      throw new Error(`CRF for ${target.format} is 0–${max}, got ${target.crf}.`)
    }
  }
  if (target.kind === 'sequence' && target.quality !== undefined && !(Number.isInteger(target.quality) && target.quality >= 1 && target.quality <= 100)) {
    throw new Error(`JPEG quality is 1–100, got ${target.quality}.`)
  }
  for (const clip of options.audio ?? []) {
    const numbers = [clip.startSeconds, clip.offsetSeconds, clip.durationSeconds, clip.volume ?? 1]
    if (!numbers.every((n) => Number.isFinite(n) && n >= 0) || clip.durationSeconds <= 0) {
      throw new Error(`Audio clip ${clip.path}: start, offset and volume must be 0 or more and duration positive.`)
    }
  }
}
