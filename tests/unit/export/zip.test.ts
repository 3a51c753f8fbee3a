import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listZipEntries, openZipEntry, writeZip } from '../../../server/export/zip'
import { AppError } from '../../../shared/errors'

let dir: string
const contents = new Map<string, Buffer>()

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattice-zip-'))
  for (const [name, size] of [['a_00000.png', 70_000], ['a_00001.png', 1], ['empty.jpg', 0]] as const) {
    const bytes = randomBytes(size)
    contents.set(name, bytes)
    await writeFile(join(dir, name), bytes)
  }
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const sources = () => [...contents.keys()].map((name) => ({ name, path: join(dir, name) }))

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

describe('zip', () => {
  it('writes stored entries that list and read back byte for byte', async () => {
    const archive = join(dir, 'frames.zip')
    const { size } = await writeZip(sources(), archive)
    const bytes = await readFile(archive)
    expect(size).toBe(bytes.length)
    // Stored, not deflated: every file's bytes appear verbatim in the archive.
    for (const content of contents.values()) expect(bytes.indexOf(content)).toBeGreaterThanOrEqual(0)
    expect(await listZipEntries(archive)).toEqual([
      { name: 'a_00000.png', size: 70_000 },
      { name: 'a_00001.png', size: 1 },
      { name: 'empty.jpg', size: 0 },
    ])
    for (const [name, content] of contents) expect((await readAll(await openZipEntry(archive, name))).equals(content)).toBe(true)
  })

  it('an unknown entry name is a clear NOT_FOUND, with no prefix or case matching', async () => {
    const archive = join(dir, 'lookup.zip')
    await writeZip(sources(), archive)
    for (const name of ['missing.png', 'A_00000.png', 'a_00000']) {
      const error = await openZipEntry(archive, name).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AppError)
      expect((error as AppError).code).toBe('NOT_FOUND')
      expect((error as AppError).message).toBe(`"${name}" is not in lookup.zip.`)
    }
  })

  it('refuses entry names that are not plain file names, and duplicates, before writing anything', async () => {
    const archive = join(dir, 'unsafe.zip')
    for (const name of ['../x.png', '/etc/passwd', 'a/b.png', 'a\\b.png', '..', '.', '', 'C:x.png']) {
      await expect(writeZip([{ name, path: join(dir, 'a_00001.png') }], archive)).rejects.toThrow('is not a plain file name')
    }
    const twice = [{ name: 'x.png', path: join(dir, 'a_00001.png') }, { name: 'x.png', path: join(dir, 'empty.jpg') }]
    await expect(writeZip(twice, archive)).rejects.toThrow('The archive would hold "x.png" twice.')
    expect(await readdir(dir)).not.toContain('unsafe.zip')
  })

  it('a missing source or an abort leaves no partial archive', async () => {
    const missing = join(dir, 'missing.zip')
    await expect(writeZip([...sources(), { name: 'gone.png', path: join(dir, 'gone.png') }], missing)).rejects.toThrow(/ENOENT/)
    const aborted = join(dir, 'aborted.zip')
    await expect(writeZip(sources(), aborted, AbortSignal.abort())).rejects.toThrow(/abort/i)
    expect(await readdir(dir)).not.toContain('missing.zip')
    expect(await readdir(dir)).not.toContain('aborted.zip')
  })

  it('refuses to read an archive whose entry name climbs out with ".."', async () => {
    const archive = join(dir, 'evil.zip')
    await writeZip([{ name: 'xxxevil.png', path: join(dir, 'a_00001.png') }], archive)
    // Names are not covered by the CRC, so renaming in place yields a valid archive with a hostile name.
    const bytes = await readFile(archive)
    await writeFile(archive, Buffer.from(bytes.toString('latin1').replaceAll('xxxevil.png', '../evil.png'), 'latin1'))
    await expect(listZipEntries(archive)).rejects.toThrow('invalid relative path: ../evil.png')
  })
})
