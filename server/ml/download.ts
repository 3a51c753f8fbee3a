import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { ModelFile } from '../../shared/ai/manifest'
import { AppError } from '../../shared/errors'

/** Where a file's download stands, for progress. */
export type OnBytes = (bytes: number) => void

/** The side file that remembers a partial download's source, so a resume asks for the same content. */
interface PartInfo { url: string; etag: string | null }

export const partPath = (path: string) => `${path}.part`
const infoPath = (path: string) => `${path}.part.json`

/** Removes a partial download (cancelled, or refused). */
export async function removePart(path: string): Promise<void> {
  await rm(partPath(path), { force: true })
  await rm(infoPath(path), { force: true })
}

/** Bytes already on disk in `<path>.part` for this URL (0 when there is none or it came from elsewhere). */
export async function partBytes(path: string, url: string): Promise<number> {
  const info = await readInfo(path)
  if (!info || info.url !== url) return 0
  return (await stat(partPath(path)).catch(() => null))?.size ?? 0
}

/**
 * Streams `file.url` into `<path>.part`, resuming what an earlier run left there with a Range
 * request (If-Range with the ETag, so changed content restarts from zero), hashing as it goes;
 * checks size and sha256, fsyncs and renames into place. A checksum mismatch removes the part
 * and throws an AppError (not retried); a dropped connection throws a plain error (retried, and
 * the part is kept for the next run).
 */
export async function downloadFile(file: ModelFile & { url: string }, path: string, options: { signal: AbortSignal; onBytes: OnBytes }): Promise<void> {
  const part = partPath(path)
  await mkdir(dirname(path), { recursive: true })
  const info = await readInfo(path)
  let offset = info?.url === file.url ? (await stat(part).catch(() => null))?.size ?? 0 : 0
  if (offset > file.size) offset = 0
  const hash = createHash('sha256')
  if (offset > 0) await hashExisting(part, offset, hash, options.signal)

  if (offset < file.size) {
    const headers: Record<string, string> = {}
    if (offset > 0) {
      headers.range = `bytes=${offset}-`
      if (info?.etag) headers['if-range'] = info.etag
    }
    const response = await fetch(file.url, { headers, signal: options.signal, redirect: 'follow' })
    if (response.status === 206) {
      const start = /bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1]
      if (Number(start) !== offset) throw new Error(`The server resumed ${file.path} at byte ${start}, not ${offset}.`)
    } else if (response.status === 200) {
      offset = 0
    } else if (response.status === 416) {
      await removePart(path)
      throw new Error(`The server could not resume ${file.path} at byte ${offset}; it starts again from the beginning.`)
    } else {
      await response.body?.cancel().catch(() => {})
      const message = `Downloading ${file.path} from ${new URL(file.url).host} failed: HTTP ${response.status} ${response.statusText}.`
      // Missing or forbidden content will not appear by retrying; server errors might go away.
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) throw new AppError('PRECONDITION_FAILED', message, { kind: 'download_refused' })
      throw new Error(message)
    }
    if (!response.body) throw new Error(`The server sent no content for ${file.path}.`)
    await writeInfo(path, { url: file.url, etag: response.headers.get('etag') })
    const digest = offset === 0 ? createHash('sha256') : hash
    options.onBytes(offset)
    const handle = await open(part, offset === 0 ? 'w' : 'a')
    try {
      let done = offset
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        if (done + chunk.byteLength > file.size) throw new AppError('PRECONDITION_FAILED', `${file.path} from ${new URL(file.url).host} is larger than the ${file.size} bytes its manifest says; the download was refused.`, { kind: 'checksum' })
        await handle.write(chunk)
        digest.update(chunk)
        done += chunk.byteLength
        options.onBytes(done)
      }
      await handle.sync()
    } finally {
      await handle.close()
    }
    await finish(file, path, digest.digest('hex'))
    return
  }
  await finish(file, path, hash.digest('hex'))
}

async function finish(file: ModelFile, path: string, sha256: string): Promise<void> {
  const part = partPath(path)
  const size = (await stat(part)).size
  // A short body whose connection closed cleanly: the next run resumes it.
  if (size < file.size) throw new Error(`${file.path} ended after ${size} of ${file.size} bytes.`)
  if (sha256 !== file.sha256) {
    await removePart(path)
    throw new AppError('PRECONDITION_FAILED', `${file.path} failed its checksum (sha256 ${sha256}, expected ${file.sha256}); the download was discarded. The file at its URL has changed: update the model's manifest.`, { kind: 'checksum' })
  }
  await rename(part, path)
  await rm(infoPath(path), { force: true })
  const dir = await open(dirname(path), 'r')
  try { await dir.sync() } finally { await dir.close() }
}

async function hashExisting(part: string, bytes: number, hash: Hash, signal: AbortSignal): Promise<void> {
  for await (const chunk of createReadStream(part, { start: 0, end: bytes - 1, highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer)
}

async function readInfo(path: string): Promise<PartInfo | null> {
  try {
    return JSON.parse(await readFile(infoPath(path), 'utf8')) as PartInfo
  } catch {
    return null
  }
}

async function writeInfo(path: string, info: PartInfo): Promise<void> {
  await writeFile(infoPath(path), JSON.stringify(info))
}
