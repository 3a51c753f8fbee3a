import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { extractTarGz } from '../../../server/db/tar'

/** A ustar archive as tinytar (PGlite's dumpDataDir) writes one: leading slashes, type 0 and 5. */
function tarball(entries: { name: string; type?: '0' | '5' | '2'; data?: Buffer }[]): Buffer {
  const blocks: Buffer[] = []
  for (const entry of entries) {
    const data = entry.data ?? Buffer.alloc(0)
    const header = Buffer.alloc(512)
    header.write(entry.name, 0, 'utf8')
    header.write('0000777\0', 100)
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124)
    header.write('00000000000\0', 136)
    header.write('        ', 148)
    header.write(entry.type ?? '0', 156)
    header.write('ustar\u000000', 257)
    let sum = 0
    for (const byte of header) sum += byte
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return gzipSync(Buffer.concat(blocks))
}

describe('extractTarGz', () => {
  let dir: string
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'lattice-tar-')) })
  afterEach(async () => rm(dir, { recursive: true, force: true }))

  const extract = async (archive: Buffer) => {
    await writeFile(join(dir, 'a.tar.gz'), archive)
    return extractTarGz(join(dir, 'a.tar.gz'), join(dir, 'out'))
  }

  it('writes files and folders, small and streamed, owner-only', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'x')
    const report = await extract(tarball([
      { name: '/PG_VERSION', data: Buffer.from('17\n') },
      { name: '/base', type: '5' },
      { name: '/base/1', type: '5' },
      { name: '/base/1/1259', data: Buffer.from('catalog') },
      { name: '/pg_wal/000000010000000000000001', data: big },
      { name: '/empty', data: Buffer.alloc(0) },
    ]))
    expect(report).toEqual({ files: 4, bytes: 3 + 7 + big.length })
    expect(await readFile(join(dir, 'out/PG_VERSION'), 'utf8')).toBe('17\n')
    expect(await readFile(join(dir, 'out/base/1/1259'), 'utf8')).toBe('catalog')
    expect((await readFile(join(dir, 'out/pg_wal/000000010000000000000001'))).equals(big)).toBe(true)
    expect(await readFile(join(dir, 'out/empty'), 'utf8')).toBe('')
    expect((await stat(join(dir, 'out/base/1/1259'))).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, 'out/base'))).mode & 0o777).toBe(0o700)
  })

  it('refuses a path that leaves the folder', async () => {
    await expect(extract(tarball([{ name: '/../escaped', data: Buffer.from('x') }]))).rejects.toThrow(/outside its folder/)
    expect(await readdir(dir)).not.toContain('escaped')
  })

  it('refuses entries other than files and folders (links)', async () => {
    await expect(extract(tarball([{ name: '/link', type: '2' }]))).rejects.toThrow(/only files and directories/)
  })

  it('refuses a corrupt header and a truncated archive', async () => {
    const archive = tarball([{ name: '/file', data: Buffer.alloc(2000, 'y') }])
    const raw = (await import('node:zlib')).gunzipSync(archive)
    raw[10] = raw[10]! ^ 0xff
    await expect(extract(gzipSync(raw))).rejects.toThrow(/checksum/)
    await rm(join(dir, 'out'), { recursive: true, force: true })
    await expect(extract(archive.subarray(0, archive.length - 30))).rejects.toThrow()
  })
})
