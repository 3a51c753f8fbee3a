import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { formatBytes } from '../storage/receive'
import { ComfyError } from './errors'
import type { ComfyHttp } from './http'
import { fileRefSchema, type FileRef, type NodeOutput } from './protocol'

/** Every file named in a history's outputs (`images`, `gifs`, `videos`, `audio`, …), in node order. */
export function outputFiles(outputs: Record<string, NodeOutput>): FileRef[] {
  const files: FileRef[] = []
  for (const output of Object.values(outputs)) {
    for (const value of Object.values(output)) {
      if (!Array.isArray(value)) continue
      for (const item of value) {
        const file = fileRefSchema.safeParse(item)
        if (file.success) files.push(file.data)
      }
    }
  }
  return files
}

export interface DownloadInfo {
  contentType: string
  /** From Content-Length, when the server sent one. */
  size?: number
}

export interface DownloadOptions {
  signal?: AbortSignal
  /** The download fails if no bytes arrive for this long. */
  idleTimeoutMs?: number
  /** Larger files fail with `output_too_large`, before any byte is written when the size is announced. */
  maxBytes?: number
}

/** The `/view` query for a file exactly as the history named it. */
export function viewPath(file: FileRef): string {
  const query = new URLSearchParams({ filename: file.filename, subfolder: file.subfolder, type: file.type })
  return `/view?${query.toString()}`
}

/**
 * Streams one output file from `/view` to the path `destination` chooses, through a temporary
 * file renamed into place, so a video is never held in memory and never half-visible.
 */
export async function downloadOutput(
  http: ComfyHttp,
  file: FileRef,
  destination: (file: FileRef, info: DownloadInfo) => string | Promise<string>,
  options: DownloadOptions = {},
): Promise<{ path: string; bytes: number; contentType: string; sha256: string }> {
  if (/[\\/]/.test(file.filename) || file.filename.includes('..')) {
    throw new ComfyError('protocol', `ComfyUI named an output "${file.filename}", which is not a plain file name; Lattice will not fetch it.`)
  }
  const response = await http.request(viewPath(file), { signal: options.signal, allowClientErrors: true })
  if (response.status !== 200 || !response.body) {
    await response.body?.cancel()
    throw new ComfyError('output_missing', `The output file "${file.filename}" is no longer on the ComfyUI server (HTTP ${response.status}; temporary files are deleted when it restarts). Run the workflow again.`, { status: response.status, file })
  }
  const length = Number(response.headers.get('content-length'))
  const info: DownloadInfo = { contentType: response.headers.get('content-type') ?? 'application/octet-stream', size: Number.isFinite(length) && length > 0 ? length : undefined }
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY
  if (info.size !== undefined && info.size > maxBytes) {
    await response.body.cancel()
    throw tooLarge(file, maxBytes, info.size)
  }
  const path = await destination(file, info)
  await mkdir(dirname(path), { recursive: true })
  const partial = `${path}.part-${process.pid}-${Date.now()}`
  let bytes = 0
  const idleMs = options.idleTimeoutMs ?? 60_000
  const source = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)
  const idle = setTimeout(() => source.destroy(new ComfyError('timeout', `Downloading "${file.filename}" from ComfyUI stalled for ${Math.round(idleMs / 1000)} s; Lattice will retry.`)), idleMs)
  // Hashed on the way, so storing it as an asset needs no second read.
  const hash = createHash('sha256')
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length
      hash.update(chunk)
      idle.refresh()
      callback(bytes > maxBytes ? tooLarge(file, maxBytes) : null, chunk)
    },
  })
  try {
    await pipeline(source, meter, createWriteStream(partial, { flags: 'wx' }), { signal: options.signal })
    await rename(partial, path)
  } catch (error) {
    await rm(partial, { force: true })
    if (error instanceof ComfyError || options.signal?.aborted) throw error
    throw new ComfyError('unreachable', `Downloading "${file.filename}" from ComfyUI was cut off (${(error as Error).message}); Lattice will retry.`)
  } finally {
    clearTimeout(idle)
  }
  return { path, bytes, contentType: info.contentType, sha256: hash.digest('hex') }
}

function tooLarge(file: FileRef, maxBytes: number, size?: number): ComfyError {
  const what = size === undefined ? 'larger than' : `${formatBytes(size)}, over`
  return new ComfyError('output_too_large', `The output "${file.filename}" is ${what} the ${formatBytes(maxBytes)} limit for outputs.`, { file, maxBytes, size })
}
