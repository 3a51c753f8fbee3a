import { createHash, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppError } from '../../shared/errors'

export interface ReceivedFile {
  path: string
  size: number
  sha256: string
}

/**
 * Streams a request body to a temp file while hashing it, stopping as soon as it passes
 * `maxBytes` (the error names `setting`, the variable that raises the limit). On any failure the
 * partial file is removed.
 */
export async function receiveToTemp(body: Readable, tmpDir: string, maxBytes: number, setting = 'LATTICE_MAX_UPLOAD_MB'): Promise<ReceivedFile> {
  await mkdir(tmpDir, { recursive: true })
  const path = join(tmpDir, `upload-${randomUUID()}`)
  const hash = createHash('sha256')
  let size = 0
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length
      if (size > maxBytes) {
        callback(new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the ${formatBytes(maxBytes)} limit. Trim or compress it, or raise ${setting}.`))
        return
      }
      hash.update(chunk)
      callback(null, chunk)
    },
  })
  const out = createWriteStream(path, { flags: 'wx' })
  try {
    await pipeline(body, meter, out)
  } catch (error) {
    // A failure before the file was even opened still opens (creates) it afterwards: wait for the
    // stream to close, or the file would appear after it was removed.
    if (!out.closed) await once(out, 'close').catch(() => {})
    await rm(path, { force: true })
    if (error instanceof AppError) throw error
    throw new AppError('BAD_REQUEST', `The upload was interrupted (${(error as Error).message}); send it again.`)
  }
  if (size === 0) {
    await rm(path, { force: true })
    throw new AppError('BAD_REQUEST', 'The upload was empty; choose a file with content.')
  }
  return { path, size, sha256: hash.digest('hex') }
}

/** A file the server wrote itself (an export), hashed in place for adoption as an asset. */
export async function hashFile(path: string): Promise<ReceivedFile> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk)
    size += chunk.length
  }
  return { path, size, sha256: hash.digest('hex') }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`
}
