import { spawn } from 'node:child_process'
import { ffmpegPath, MediaReadError, notFound } from './ffmpeg'
import { shortReason } from './ffmpeg-text'

/**
 * Decodes a video's frames in order as raw RGB (rows from the top, no padding) at the video's own
 * display size, one frame in memory at a time. ffmpeg applies the display rotation itself, so the
 * size must be the rotated one (as the asset's probed metadata gives it).
 */
export async function* decodeFrames(path: string, options: { width: number; height: number; maxFrames: number; signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
  const { width, height, maxFrames, signal } = options
  const frameBytes = width * height * 3
  const child = spawn(ffmpegPath(), [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-i', path,
    '-map', '0:v:0', '-an', '-sn', '-dn', '-frames:v', String(maxFrames),
    '-vf', `scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1',
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text: string) => { stderr = (stderr + text).slice(-4096) })
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }))
    child.once('close', (code) => resolve({ code }))
  })
  const kill = () => child.kill('SIGKILL')
  signal?.addEventListener('abort', kill, { once: true })
  try {
    let pending: Buffer[] = []
    let pendingBytes = 0
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending.push(chunk)
      pendingBytes += chunk.length
      while (pendingBytes >= frameBytes) {
        const joined = pending.length === 1 ? pending[0]! : Buffer.concat(pending)
        yield new Uint8Array(joined.buffer, joined.byteOffset, frameBytes).slice()
        const rest = joined.subarray(frameBytes)
        pending = rest.length > 0 ? [rest] : []
        pendingBytes = rest.length
      }
    }
    const exit = await exited
    if (signal?.aborted) throw signal.reason ?? new Error('Decoding was stopped.')
    if (exit.error) throw (exit.error as NodeJS.ErrnoException).code === 'ENOENT' ? notFound('ffmpeg', 'LATTICE_FFMPEG_PATH') : exit.error
    if (exit.code !== 0) throw new MediaReadError(shortReason(stderr, path) || `ffmpeg stopped with code ${exit.code}`)
  } finally {
    signal?.removeEventListener('abort', kill)
    if (child.exitCode === null) kill()
  }
}
