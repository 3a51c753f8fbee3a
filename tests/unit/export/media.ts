import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { createEncoder, type EncodedOutput, type EncoderOptions } from '../../../server/export/encode'

const run = promisify(execFile)

/** Frames for encoder tests: a gradient moving a little each frame, opaque or with a transparent square. */
export const W = 64
export const H = 48
export const FPS = 10
export const FRAMES = 10

/** The square that is fully transparent in `alpha` frames; it moves with the frame number. */
export function transparentAt(x: number, y: number, frame: number): boolean {
  return x >= 8 + frame && x < 24 + frame && y >= 8 && y < 24
}

export function rgbaFrame(frame: number, alpha: boolean): Uint8Array {
  const pixels = new Uint8Array(W * H * 4)
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4
      if (alpha && transparentAt(x, y, frame)) continue // straight alpha: transparent is 0,0,0,0
      pixels[i] = Math.min(255, 3 * x + 4 * frame)
      pixels[i + 1] = 4 * y
      pixels[i + 2] = 128 + 8 * frame
      pixels[i + 3] = 255
    }
  }
  return pixels
}

/** 16-bit grey using the whole range, so a lost low byte would show. */
export function gray16Frame(frame: number): Uint8Array {
  const samples = new Uint16Array(W * H)
  for (let i = 0; i < samples.length; i++) samples[i] = (i * 1021 + frame * 4099) % 65536
  return new Uint8Array(samples.buffer)
}

export async function encodeAll(options: EncoderOptions, frames: Uint8Array[]): Promise<EncodedOutput> {
  const encoder = createEncoder(options)
  for (const frame of frames) await encoder.write(frame)
  return encoder.finish()
}

export interface ProbedStream {
  codec_name: string
  codec_type: string
  codec_tag_string: string
  profile?: string
  pix_fmt?: string
  width?: number
  height?: number
  r_frame_rate: string
  nb_read_frames?: string
  duration?: string
  color_space?: string
  color_primaries?: string
  color_transfer?: string
  tags?: Record<string, string>
}

export async function probe(file: string): Promise<{ streams: ProbedStream[]; format: { duration?: string; format_name: string } }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', file])
  return JSON.parse(stdout)
}

/** Every frame of a video as straight RGBA; VP9 needs libvpx's decoder to see the alpha plane. */
export async function decodeRgba(file: string, vp9 = false): Promise<Uint8Array[]> {
  const decoder = vp9 ? ['-c:v', 'libvpx-vp9'] : []
  const { stdout } = await run('ffmpeg', ['-v', 'error', ...decoder, '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  })
  const size = W * H * 4
  return Array.from({ length: stdout.length / size }, (_, i) => new Uint8Array(stdout.subarray(i * size, (i + 1) * size)))
}

/** Mono 48 kHz float samples of a file's audio. */
export async function decodeAudio(file: string): Promise<Float32Array> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', '48000', '-f', 'f32le', 'pipe:1'], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  })
  return new Float32Array(stdout.buffer, stdout.byteOffset, stdout.length / 4)
}

export async function sineWav(path: string, seconds: number): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-ar', '44100', path])
}

/** Mean absolute difference over `channels` of the pixels `where` selects. */
export function meanAbsError(
  actual: Uint8Array,
  expected: Uint8Array,
  channels: number[],
  where: (pixel: number) => boolean = () => true,
): number {
  let sum = 0
  let count = 0
  for (let p = 0; p < W * H; p++) {
    if (!where(p)) continue
    for (const c of channels) {
      sum += Math.abs(actual[p * 4 + c]! - expected[p * 4 + c]!)
      count++
    }
  }
  return sum / count
}

/** Process ids of running ffmpeg processes whose command line mentions `text`. */
export async function ffmpegPidsMentioning(text: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.startsWith('ffmpeg\0') || cmdline.includes('/ffmpeg\0')) {
      if (cmdline.includes(text)) pids.push(Number(entry))
    }
  }
  return pids
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
