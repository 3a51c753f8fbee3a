import { createWriteStream } from 'node:fs'
import { rm, stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import yauzl from 'yauzl'
import yazl from 'yazl'
import { AppError } from '../../shared/errors'

/**
 * Image sequences travel as one zip. Written with yazl and read with yauzl: both stream (an
 * archive of thousands of 1080p frames is never in memory), write and read Zip64 for archives past
 * 4 GB, are plain JavaScript with one small dependency each, and are maintained by the same author.
 */

export interface ZipSource {
  /** The entry's name in the archive: a plain file name. */
  name: string
  /** The file on disk. */
  path: string
}

export interface ZipEntryInfo {
  name: string
  /** Uncompressed bytes. */
  size: number
}

/**
 * Writes `entries` stored (no compression: PNG and JPEG are compressed already, so deflate would
 * only cost time). A failed or aborted write leaves no partial archive.
 */
export async function writeZip(entries: ZipSource[], destination: string, signal?: AbortSignal): Promise<{ size: number }> {
  const seen = new Set<string>()
  for (const { name } of entries) {
    checkEntryName(name)
    if (seen.has(name)) throw new Error(`The archive would hold "${name}" twice.`)
    seen.add(name)
  }
  const zip = new yazl.ZipFile()
  // yazl reports a source it cannot read on the ZipFile, not on its output stream.
  zip.on('error', (error: Error) => (zip.outputStream as Readable).destroy(error))
  for (const { name, path } of entries) zip.addFile(path, name, { compress: false })
  zip.end()
  try {
    await pipeline(zip.outputStream, createWriteStream(destination), { signal })
  } catch (error) {
    await rm(destination, { force: true })
    throw error
  }
  return { size: (await stat(destination)).size }
}

/** The archive's entries in their stored order. */
export async function listZipEntries(zipPath: string): Promise<ZipEntryInfo[]> {
  const zip = await openZip(zipPath)
  try {
    const entries: ZipEntryInfo[] = []
    for await (const entry of zip.eachEntry()) entries.push({ name: entry.fileName, size: entry.uncompressedSize })
    return entries
  } finally {
    zip.close()
  }
}

/** A stream of one entry's contents; `name` must match an entry exactly. */
export async function openZipEntry(zipPath: string, name: string): Promise<Readable> {
  const zip = await openZip(zipPath)
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName === name) return await zip.openReadStreamPromise(entry)
    }
  } finally {
    // The file stays open until the returned stream has ended (yauzl counts its readers).
    zip.close()
  }
  throw new AppError('NOT_FOUND', `"${name}" is not in ${basename(zipPath)}.`)
}

/**
 * yauzl itself refuses absolute paths, ".." and (strictly) backslashes in the names it reads;
 * sizes are checked against the data as it streams.
 */
function openZip(zipPath: string): Promise<yauzl.ZipFile> {
  return yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true })
}

/** Entries are flat: a name with a folder, "..", or a drive could land outside where it is unpacked. */
function checkEntryName(name: string): void {
  if (!name || name === '.' || name === '..' || /[/\\\0:]/.test(name) || name.length > 255) {
    throw new Error(`"${name}" is not a plain file name for a zip entry (no "/", "\\", ":", "." or "..").`)
  }
}
