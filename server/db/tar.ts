import { createReadStream } from 'node:fs'
import { mkdir, open, writeFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, normalize } from 'node:path'
import { createGunzip } from 'node:zlib'

const BLOCK = 512

interface Entry {
  name: string
  type: 'file' | 'directory'
  size: number
}

/**
 * Extracts a gzipped ustar archive of plain files and directories (what PGlite's `dumpDataDir`
 * writes) into `dest`, as it streams: the archive is never whole in memory. Everything is
 * created owner-only, as a database folder should be. A corrupt archive throws (the gzip CRC is
 * checked at its end), so callers extract into a temporary folder and rename it when this resolves.
 */
export async function extractTarGz(archive: string, dest: string): Promise<{ files: number; bytes: number }> {
  const gunzip = createGunzip({ chunkSize: 256 * 1024 })
  const reader = new ChunkReader(createReadStream(archive).pipe(gunzip)[Symbol.asyncIterator]())
  const writes = new WritePool(WRITES_IN_FLIGHT)
  const folders = new Set<string>()
  const folder = async (path: string) => {
    if (folders.has(path)) return
    await mkdir(path, { recursive: true, mode: 0o700 })
    folders.add(path)
  }
  let files = 0
  let bytes = 0
  try {
    for (;;) {
      const header = await reader.exactly(BLOCK)
      // The archive ends with zero blocks; a stream that simply stops is accepted too (the CRC still is checked).
      if (!header || header.every((b) => b === 0)) break
      const entry = parseHeader(header)
      const path = inside(dest, entry.name)
      if (entry.type === 'directory') {
        await folder(path)
        continue
      }
      await folder(dirname(path))
      if (entry.size <= SMALL_FILE) {
        // Most of a database folder is small files: their writes overlap instead of queueing one by one.
        const data = await reader.gather(entry.size, entry.name)
        await writes.add(writeFile(path, data, { flag: 'wx', mode: 0o600 }))
      } else {
        await streamTo(path, reader, entry)
      }
      await reader.skip((BLOCK - (entry.size % BLOCK)) % BLOCK)
      files++
      bytes += entry.size
    }
    await reader.drain()
  } catch (error) {
    await reader.close()
    // Nothing may still be writing into `dest` when the caller removes it.
    await writes.settle().catch(() => {})
    throw error
  }
  await writes.settle()
  return { files, bytes }
}

/** Files up to this size are held whole while written; larger ones (WAL segments) are streamed. */
const SMALL_FILE = 1024 * 1024
const WRITES_IN_FLIGHT = 16

async function streamTo(path: string, reader: ChunkReader, entry: Entry): Promise<void> {
  const file = await open(path, 'wx', 0o600)
  try {
    for (let left = entry.size; left > 0;) {
      const chunk = await reader.upTo(left)
      if (!chunk) throw new Error(`The archive ends inside ${entry.name}.`)
      // writeFile on a handle writes all of it at the current position (write() may write less).
      await file.writeFile(chunk)
      left -= chunk.length
    }
  } finally {
    await file.close()
  }
}

/** At most `limit` writes at once; the first failure is thrown by the next add() or by settle(). */
class WritePool {
  private readonly pending = new Set<Promise<void>>()
  private failure: unknown = null

  constructor(private readonly limit: number) {}

  async add(write: Promise<void>): Promise<void> {
    const tracked: Promise<void> = write.catch((error: unknown) => { this.failure ??= error }).finally(() => this.pending.delete(tracked))
    this.pending.add(tracked)
    if (this.pending.size >= this.limit) await Promise.race(this.pending)
    if (this.failure) throw this.failure
  }

  async settle(): Promise<void> {
    await Promise.all(this.pending)
    if (this.failure) throw this.failure
  }
}

function parseHeader(block: Buffer): Entry {
  const stored = octal(block, 148, 8)
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!
  if (sum !== stored) throw new Error('The archive is corrupt (a header checksum does not match).')
  const name = text(block, 0, 100)
  const prefix = block.subarray(257, 262).toString('latin1') === 'ustar' ? text(block, 345, 155) : ''
  const flag = String.fromCharCode(block[156]!)
  const full = prefix ? `${prefix}/${name}` : name
  if (flag === '5') return { name: full, type: 'directory', size: 0 }
  if (flag === '0' || flag === '\0') return { name: full, type: 'file', size: octal(block, 124, 12) }
  throw new Error(`The archive holds ${full} of type "${flag}"; only files and directories are expected.`)
}

function text(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length)
  const end = field.indexOf(0)
  return field.subarray(0, end === -1 ? length : end).toString('utf8')
}

function octal(block: Buffer, offset: number, length: number): number {
  return parseInt(text(block, offset, length).trim() || '0', 8)
}

/** `dest/name`, refusing names that would land outside `dest`. */
function inside(dest: string, name: string): string {
  const relative = normalize(name.replace(/^\/+/, ''))
  if (relative === '.' || isAbsolute(relative) || relative.split(/[\\/]/).includes('..')) {
    throw new Error(`The archive holds a path outside its folder: ${name}`)
  }
  return join(dest, relative)
}

/** Reads a stream of Buffers by byte counts, without joining more than one header's worth. */
class ChunkReader {
  private buffered: Buffer = Buffer.alloc(0)

  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  /** The next `length` bytes, or null at the end of the stream. */
  async exactly(length: number): Promise<Buffer | null> {
    while (this.buffered.length < length) {
      const next = await this.chunks.next()
      if (next.done) {
        if (this.buffered.length === 0) return null
        throw new Error('The archive ends inside a header.')
      }
      this.buffered = Buffer.concat([this.buffered, next.value])
    }
    return this.take(length)
  }

  /** Between 1 and `length` bytes (whatever is at hand), or null at the end of the stream. */
  async upTo(length: number): Promise<Buffer | null> {
    if (this.buffered.length === 0) {
      const next = await this.chunks.next()
      if (next.done) return null
      this.buffered = next.value
    }
    return this.take(Math.min(length, this.buffered.length))
  }

  /** The next `length` bytes as one Buffer. */
  async gather(length: number, name: string): Promise<Buffer> {
    const parts: Buffer[] = []
    for (let left = length; left > 0;) {
      const chunk = await this.upTo(left)
      if (!chunk) throw new Error(`The archive ends inside ${name}.`)
      parts.push(chunk)
      left -= chunk.length
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, length)
  }

  async skip(length: number): Promise<void> {
    for (let left = length; left > 0;) {
      const chunk = await this.upTo(left)
      if (!chunk) return
      left -= chunk.length
    }
  }

  /** Stops reading (closes the file) when extraction stops early. */
  async close(): Promise<void> {
    await this.chunks.return?.()
  }

  /** Reads to the end, so the gzip trailer (and its CRC) is checked. */
  async drain(): Promise<void> {
    while (!(await this.chunks.next()).done) { /* padding after the end-of-archive blocks */ }
  }

  private take(length: number): Buffer {
    const head = this.buffered.subarray(0, length)
    this.buffered = this.buffered.subarray(length)
    return head
  }
}
