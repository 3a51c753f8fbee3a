import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ComfyError, ComfyHttp, downloadOutput, runPrompt, uploadImage, uploadMask, type ComfyConnection } from '../../server/comfy'
import { connect, FAST, simpleWorkflow, startStandIn } from './helpers'
import type { ComfyStandIn } from './stand-in/server'

let standIn: ComfyStandIn
let connection: ComfyConnection
let dir: string
beforeAll(async () => {
  standIn = await startStandIn()
  connection = connect(standIn)
  dir = await mkdtemp(join(tmpdir(), 'comfy-files-'))
})
afterAll(async () => {
  await connection.close()
  await standIn.stop()
  await rm(dir, { recursive: true, force: true })
})

async function png(name: string, width: number, height: number, rgba: { r: number; g: number; b: number; alpha: number }): Promise<string> {
  const path = join(dir, name)
  await sharp({ create: { width, height, channels: 4, background: rgba } }).png().toFile(path)
  return path
}

describe('uploads and downloads', () => {
  it('uploads an image that a LoadImage node then reads, renaming when a different file has the name', async () => {
    const red = await png('frame.png', 40, 30, { r: 255, g: 0, b: 0, alpha: 1 })
    const first = await uploadImage(connection.http, red, { subfolder: 'lattice' })
    expect(first).toEqual({ name: 'frame.png', subfolder: 'lattice', type: 'input', ref: 'lattice/frame.png' })
    expect(await readFile(join(standIn.folders.input, 'lattice', 'frame.png'))).toEqual(await readFile(red))
    const again = await uploadImage(connection.http, red, { subfolder: 'lattice' })
    expect(again.name).toBe('frame.png')
    const blue = await png('other.png', 40, 30, { r: 0, g: 0, b: 255, alpha: 1 })
    const renamed = await uploadImage(connection.http, blue, { subfolder: 'lattice', filename: 'frame.png' })
    expect(renamed.name).toBe('frame (1).png')

    const outcome = await runPrompt(connection, {
      1: { class_type: 'LoadImage', inputs: { image: first.ref } },
      2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'loaded/frame' } },
    }, FAST)
    expect(outcome.status).toBe('succeeded')
    if (outcome.status !== 'succeeded') return
    const saved = await sharp(join(standIn.folders.output, 'loaded', outcome.files[0]!.filename)).metadata()
    expect([saved.width, saved.height]).toEqual([40, 30])
  })

  it('uploads a mask whose alpha is applied to the original', async () => {
    const original = await png('photo.png', 20, 20, { r: 10, g: 200, b: 10, alpha: 1 })
    const uploaded = await uploadImage(connection.http, original)
    const mask = await png('mask.png', 20, 20, { r: 0, g: 0, b: 0, alpha: 0.5 })
    const result = await uploadMask(connection.http, mask, { filename: uploaded.name, subfolder: '', type: 'input' }, { filename: 'photo-masked.png' })
    expect(result.name).toBe('photo-masked.png')
    const stats = await sharp(join(standIn.folders.input, 'photo-masked.png')).stats()
    expect(stats.channels).toHaveLength(4)
    expect(Math.round(stats.channels[3]!.mean)).toBe(128)
  })

  it('streams an output from /view to the path the caller picks', async () => {
    const outcome = await runPrompt(connection, simpleWorkflow('download/me'), FAST)
    if (outcome.status !== 'succeeded') throw new Error(`run ${outcome.status}`)
    const file = outcome.files[0]!
    const seen: Array<{ contentType: string; size?: number }> = []
    const result = await downloadOutput(connection.http, file, (f, info) => {
      seen.push(info)
      return join(dir, 'downloads', `${f.subfolder}-${f.filename}`)
    })
    expect(seen).toEqual([{ contentType: 'image/png', size: result.bytes }])
    expect(result.path).toBe(join(dir, 'downloads', `download-${file.filename}`))
    expect(await readFile(result.path)).toEqual(await readFile(join(standIn.folders.output, 'download', file.filename)))
    expect((await readdir(join(dir, 'downloads'))).filter((name) => name.includes('.part'))).toEqual([])
  })

  it('refuses an output over the size limit, before writing anything when its size is announced, while streaming when not', async () => {
    const outcome = await runPrompt(connection, simpleWorkflow('limited/out'), FAST)
    if (outcome.status !== 'succeeded') throw new Error(`run ${outcome.status}`)
    let placed = false
    const announced = await downloadOutput(connection.http, outcome.files[0]!, () => { placed = true; return join(dir, 'limited', 'never.png') }, { maxBytes: 16 }).catch((e: unknown) => e)
    expect(announced).toBeInstanceOf(ComfyError)
    expect(announced).toMatchObject({ kind: 'output_too_large', transient: false })
    expect((announced as Error).message).toMatch(/^The output "out_\d+_\.png" is \d+ B, over the 16 B limit for outputs\.$/)
    expect(placed).toBe(false)

    // A server that streams the file without a Content-Length.
    const chunked = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' })
      for (let i = 0; i < 4; i++) res.write(Buffer.alloc(64 * 1024, i))
      res.end()
    })
    await new Promise<void>((resolve) => chunked.listen(0, '127.0.0.1', resolve))
    try {
      const http = new ComfyHttp({ baseUrl: `http://127.0.0.1:${(chunked.address() as AddressInfo).port}` })
      const file = { filename: 'clip.mp4', subfolder: '', type: 'output' }
      const streamed = await downloadOutput(http, file, () => join(dir, 'streamed', 'clip.mp4'), { maxBytes: 100 * 1024 }).catch((e: unknown) => e)
      expect(streamed).toMatchObject({ kind: 'output_too_large', message: 'The output "clip.mp4" is larger than the 100 KB limit for outputs.' })
      expect(await readdir(join(dir, 'streamed'))).toEqual([])
      const whole = await downloadOutput(http, file, () => join(dir, 'streamed', 'clip.mp4'), { maxBytes: 256 * 1024 })
      expect(whole.bytes).toBe(256 * 1024)
    } finally {
      await new Promise((resolve) => chunked.close(resolve))
    }
  })

  it('says an output is gone when /view has no such file', async () => {
    const error = await downloadOutput(connection.http, { filename: 'nothing_00001_.png', subfolder: '', type: 'temp' }, () => join(dir, 'never.png')).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ComfyError)
    expect((error as ComfyError).kind).toBe('output_missing')
    await expect(readFile(join(dir, 'never.png'))).rejects.toThrow()
  })
})
