import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createEncoder, EncodeError, type EncoderOptions } from '../../../server/export/encode'
import { AppError } from '../../../shared/errors'
import { decodeAudio, encodeAll, FPS, FRAMES, ffmpegPidsMentioning, H, isRunning, probe, rgbaFrame, sineWav, W } from './media'

/** The encoder as a process: audio mixing, abort, and ffmpeg failing or missing. */

let root: string
let sine: string
let n = 0
const frames = Array.from({ length: FRAMES }, (_, i) => rgbaFrame(i, false))

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lattice-encode-process-'))
  sine = join(root, 'sine.wav')
  await sineWav(sine, 3)
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

afterEach(() => {
  delete process.env.LATTICE_FFMPEG_PATH
})

/** A fresh empty output directory per test, so "no files remain" means exactly that. */
async function freshDir(): Promise<string> {
  const dir = join(root, `out-${n++}`)
  await mkdir(dir)
  return dir
}

function h264(directory: string, extra: Partial<EncoderOptions> = {}): EncoderOptions {
  return { width: W, height: H, fps: FPS, pixels: 'rgba', directory, baseName: 'video', target: { kind: 'video', format: 'h264' }, ...extra }
}

/** RMS of the samples between two times (seconds) at 48 kHz. */
function rms(samples: Float32Array, from: number, to: number): number {
  const part = samples.subarray(Math.round(from * 48_000), Math.round(to * 48_000))
  return Math.sqrt(part.reduce((sum, s) => sum + s * s, 0) / part.length)
}

async function rejection(work: Promise<unknown>): Promise<Error> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(Error)
  return error as Error
}

describe('audio', () => {
  it('mixes clips at their timeline places into AAC, cut to the video length', async () => {
    const dir = await freshDir()
    // 1 s of video. Clip A sounds 0.3–0.6 s; clip B from 0.8 s runs past the end and is cut there.
    const out = await encodeAll(
      h264(dir, {
        audio: [
          { path: sine, startSeconds: 0.3, offsetSeconds: 0.5, durationSeconds: 0.3 },
          { path: sine, startSeconds: 0.8, offsetSeconds: 0, durationSeconds: 5, volume: 0.5 },
        ],
      }),
      frames,
    )
    const { streams } = await probe(out.files[0]!)
    const video = streams.find((s) => s.codec_type === 'video')!
    const audio = streams.find((s) => s.codec_type === 'audio')!
    expect(audio.codec_name).toBe('aac')
    expect(Number(video.duration)).toBeCloseTo(1, 2)
    expect(Math.abs(Number(audio.duration) - Number(video.duration))).toBeLessThan(0.05)

    const samples = await decodeAudio(out.files[0]!)
    const sineRms = Math.SQRT1_2 / 8 // lavfi's sine has amplitude 1/8
    expect(rms(samples, 0, 0.25)).toBeLessThan(0.005)
    expect(rms(samples, 0.35, 0.55)).toBeCloseTo(sineRms, 2)
    expect(rms(samples, 0.65, 0.75)).toBeLessThan(0.005)
    expect(rms(samples, 0.85, 0.95)).toBeCloseTo(sineRms * 0.5, 2)
  })

  it('pads a clip that ends early with silence, so the audio still lasts as long as the video', async () => {
    const dir = await freshDir()
    const out = await encodeAll(h264(dir, { audio: [{ path: sine, startSeconds: 0, offsetSeconds: 0, durationSeconds: 0.2 }] }), frames)
    const audio = (await probe(out.files[0]!)).streams.find((s) => s.codec_type === 'audio')!
    expect(Math.abs(Number(audio.duration) - 1)).toBeLessThan(0.05)
  })
})

describe('abort', () => {
  it('kills ffmpeg mid-encode, rejects the write waiting for stdin and removes the partial video', async () => {
    const dir = await freshDir()
    // 1.2 MB frames overflow the pipe, so a write waits for ffmpeg to read.
    const big = new Uint8Array(640 * 480 * 4).fill(90)
    const encoder = createEncoder(h264(dir, { width: 640, height: 480 }))
    for (let i = 0; i < 3; i++) await encoder.write(big)
    const [pid] = await ffmpegPidsMentioning(dir)
    expect(pid).toBeDefined()
    expect(isRunning(pid!)).toBe(true)
    // A write still waiting for ffmpeg to read (under load ffmpeg may have kept up with a few).
    let waiting: Promise<void> | null = null
    for (let i = 0; i < 100 && !waiting; i++) {
      const write = encoder.write(big)
      // Still pending one turn of the event loop later: stdin is full. abort() follows before any drain.
      const settled = await Promise.race([write.then(() => true, () => true), new Promise<boolean>((resolve) => setImmediate(() => resolve(false)))])
      if (!settled) waiting = write
    }
    const aborting = encoder.abort()
    expect(waiting).not.toBeNull()
    await aborting
    expect((await rejection(waiting!)).name).toBe('AbortError')
    expect(isRunning(pid!)).toBe(false)
    expect(await readdir(dir)).toEqual([])
    await expect(encoder.write(big)).rejects.toThrow('The encode was aborted.')
  })

  it('an aborted signal stops a PNG sequence: the waiting finish rejects and no frame file remains', async () => {
    const dir = await freshDir()
    const controller = new AbortController()
    const encoder = createEncoder({ ...h264(dir), target: { kind: 'sequence', format: 'png' }, signal: controller.signal })
    for (const frame of frames) await encoder.write(frame)
    const [pid] = await ffmpegPidsMentioning(dir)
    const finishing = encoder.finish()
    controller.abort()
    const error = await rejection(finishing)
    expect(error.name).toBe('AbortError')
    expect(isRunning(pid!)).toBe(false)
    expect(await readdir(dir)).toEqual([])
  })

  it('a signal aborted before the start runs nothing', async () => {
    const dir = await freshDir()
    const encoder = createEncoder({ ...h264(dir), signal: AbortSignal.abort() })
    expect((await rejection(encoder.write(frames[0]!))).name).toBe('AbortError')
    expect(await ffmpegPidsMentioning(dir)).toEqual([])
  })
})

describe('failures', () => {
  it('a missing ffmpeg binary names the Debian package and LATTICE_FFMPEG_PATH', async () => {
    process.env.LATTICE_FFMPEG_PATH = '/nowhere/ffmpeg'
    const encoder = createEncoder(h264(await freshDir()))
    await encoder.write(frames[0]!).catch(() => {})
    const error = await rejection(encoder.finish())
    expect(error).toBeInstanceOf(AppError)
    expect(error.message).toBe('ffmpeg was not found: install it (apt-get install ffmpeg) or set LATTICE_FFMPEG_PATH')
  })

  it('an output directory that does not exist fails with ffmpeg\'s own reason', async () => {
    const encoder = createEncoder(h264(join(root, 'missing', 'dir')))
    const error = await rejection((async () => {
      for (const frame of frames) await encoder.write(frame)
      await encoder.finish()
    })())
    expect(error).toBeInstanceOf(EncodeError)
    expect(error.message).toBe('ffmpeg exited with code 1 while writing video.mp4: video.mp4: No such file or directory')
    expect((error as EncodeError).ffmpegOutput).toBe(`${join(root, 'missing', 'dir', 'video.mp4')}: No such file or directory`)
  })

  it('a full disk (the output is /dev/full) fails with "No space left on device" and removes the file', async () => {
    const dir = await freshDir()
    await symlink('/dev/full', join(dir, 'video.mov'))
    const encoder = createEncoder({ ...h264(dir), target: { kind: 'video', format: 'prores4444' } })
    const error = await rejection((async () => {
      for (const frame of frames) await encoder.write(frame)
      await encoder.finish()
    })())
    expect(error).toBeInstanceOf(EncodeError)
    expect((error as EncodeError).ffmpegOutput).toContain('No space left on device')
    expect(await readdir(dir)).toEqual([])
  })

  it('rejects a frame of the wrong size and finishing with no frames', async () => {
    const encoder = createEncoder(h264(await freshDir()))
    await expect(encoder.write(new Uint8Array(10))).rejects.toThrow('A 64×48 rgba frame is 12288 bytes, got 10.')
    await expect(encoder.finish()).rejects.toThrow('No frames were written')
  })
})
