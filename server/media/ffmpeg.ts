import { execFile } from 'node:child_process'
import type Ffmpeg from 'fluent-ffmpeg'
import { AppError } from '../../shared/errors'
import { num, positive, shortReason, text } from './ffmpeg-text'
import { loadFfmpeg } from './libraries'

/**
 * The only module that knows the ffmpeg/ffprobe binaries and fluent-ffmpeg. fluent-ffmpeg is being
 * archived upstream, so everything else goes through these few functions and it can be swapped
 * for plain child_process calls without touching callers.
 */

/** Kills a stuck ffmpeg (a hostile or broken file must not hold a worker forever). */
const FRAME_TIMEOUT_SECONDS = 120
const WAVEFORM_TIMEOUT_SECONDS = 300

/** Read at call time, so a changed environment (or a test) takes effect without a restart. */
export function ffmpegPath(): string {
  return process.env.LATTICE_FFMPEG_PATH || 'ffmpeg'
}

export function ffprobePath(): string {
  return process.env.LATTICE_FFPROBE_PATH || 'ffprobe'
}

/** The file itself is unreadable (as opposed to ffmpeg missing); `reason` is ffmpeg's own words. */
export class MediaReadError extends Error {
  constructor(readonly reason: string) {
    super(reason)
    this.name = 'MediaReadError'
  }
}

export interface ProbeStream {
  index: number
  type: 'video' | 'audio' | 'subtitle' | 'data' | 'attachment' | 'unknown'
  codec: string
  width?: number
  height?: number
  rFrameRate?: string
  avgFrameRate?: string
  nbFrames?: number
  durationSeconds?: number
  sampleRate?: number
  channels?: number
  /** Cover art in audio files shows up as a one-frame video stream; it is not a video. */
  attachedPic: boolean
  /** Degrees from the display matrix (phones record portrait video as rotated landscape). */
  rotation: number
}

export interface ProbeResult {
  formatName: string
  durationSeconds?: number
  streams: ProbeStream[]
}

/** Checks ffmpeg and ffprobe both run and returns ffmpeg's version; for start-up and health checks. */
export async function ffmpegAvailable(): Promise<string> {
  const version = await binaryVersion(ffmpegPath(), 'ffmpeg', 'LATTICE_FFMPEG_PATH')
  await binaryVersion(ffprobePath(), 'ffprobe', 'LATTICE_FFPROBE_PATH')
  return version
}

function binaryVersion(path: string, name: string, envVar: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, ['-version'], { timeout: 10_000 }, (error, stdout) => {
      const match = /version (\S+)/.exec(String(stdout))
      if (error || !match?.[1]) reject(notFound(name, envVar))
      else resolve(match[1])
    })
  })
}

export function notFound(name: string, envVar: string): AppError {
  return new AppError('SERVICE_UNAVAILABLE', `${name} was not found: install it (apt-get install ffmpeg) or set ${envVar}`)
}

export async function ffprobe(filePath: string): Promise<ProbeResult> {
  const ffmpeg = await loadFfmpeg()
  return new Promise((resolve, reject) => {
    ffmpeg(filePath)
      .setFfprobePath(ffprobePath())
      .ffprobe(['-v', 'error'], (error: unknown, data: Ffmpeg.FfprobeData) => {
        if (isMissingBinary(error)) return reject(notFound('ffprobe', 'LATTICE_FFPROBE_PATH'))
        if (error) return reject(new MediaReadError(shortReason(messageOf(error), filePath)))
        resolve({
          formatName: String(data.format.format_name ?? ''),
          durationSeconds: positive(data.format.duration),
          streams: data.streams.map(toStream),
        })
      })
  })
}

function toStream(s: Ffmpeg.FfprobeStream): ProbeStream {
  const type = s.codec_type
  const rotation = num(s.rotation) ?? num(s.tags?.rotate) ?? 0
  return {
    index: s.index,
    type: type === 'video' || type === 'audio' || type === 'subtitle' || type === 'data' || type === 'attachment' ? type : 'unknown',
    codec: String(s.codec_name ?? 'unknown'),
    width: positive(s.width),
    height: positive(s.height),
    rFrameRate: text(s.r_frame_rate),
    avgFrameRate: text(s.avg_frame_rate),
    nbFrames: positive(s.nb_frames),
    durationSeconds: positive(s.duration),
    sampleRate: positive(s.sample_rate),
    channels: positive(s.channels),
    attachedPic: num(s.disposition?.attached_pic) === 1,
    rotation,
  }
}

/** Writes one frame at `atSeconds` as PNG (ffmpeg applies the display rotation itself). */
export function extractFrame(filePath: string, atSeconds: number, outPngPath: string): Promise<void> {
  return runFfmpeg(filePath, outPngPath, FRAME_TIMEOUT_SECONDS, (cmd) =>
    cmd
      .seekInput(Math.max(0, atSeconds))
      .outputOptions(['-map', '0:v:0', '-frames:v', '1', '-an', '-sn', '-dn', '-c:v', 'png', '-f', 'image2', '-update', '1']),
  )
}

/** Draws the first audio stream as a mono waveform PNG of exactly `width`×`height`. */
export function renderWaveform(filePath: string, outPngPath: string, width: number, height: number): Promise<void> {
  const filter = `[0:a:0]aformat=channel_layouts=mono,showwavespic=s=${width}x${height}:colors=0x9ca3af[w]`
  return runFfmpeg(filePath, outPngPath, WAVEFORM_TIMEOUT_SECONDS, (cmd) =>
    cmd.outputOptions(['-filter_complex', filter, '-map', '[w]', '-frames:v', '1', '-c:v', 'png', '-f', 'image2', '-update', '1']),
  )
}

/** Binaries known to run, per path; a failed check is not cached so installing ffmpeg fixes it live. */
const verified = new Map<string, Promise<string>>()

function ensureFfmpeg(path: string): Promise<string> {
  let check = verified.get(path)
  if (!check) {
    check = binaryVersion(path, 'ffmpeg', 'LATTICE_FFMPEG_PATH')
    verified.set(path, check)
    check.catch(() => verified.delete(path))
  }
  return check
}

async function runFfmpeg(
  input: string,
  output: string,
  timeout: number,
  configure: (cmd: Ffmpeg.FfmpegCommand) => Ffmpeg.FfmpegCommand,
): Promise<void> {
  // fluent-ffmpeg 2.1.3 crashes the process (TypeError in its exit handler) when the binary is
  // missing, so its existence is checked before every first use of a path.
  const path = ffmpegPath()
  await ensureFfmpeg(path)
  const ffmpeg = await loadFfmpeg()
  return new Promise((resolve, reject) => {
    const cmd = ffmpeg(input, { timeout }).setFfmpegPath(path).inputOptions(['-v', 'error'])
    configure(cmd)
      .output(output)
      .on('end', () => resolve())
      .on('error', (error: unknown, _stdout: unknown, stderr: unknown) => {
        if (isMissingBinary(error)) return reject(notFound('ffmpeg', 'LATTICE_FFMPEG_PATH'))
        const detail = typeof stderr === 'string' && stderr.trim() ? stderr : messageOf(error)
        reject(new MediaReadError(shortReason(detail, input, output)))
      })
      .run()
  })
}

function isMissingBinary(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null
  return !!e && (e.code === 'ENOENT' || /ENOENT|Cannot find ff(mpeg|probe)/.test(String(e.message)))
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
