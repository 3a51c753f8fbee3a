import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EncoderOptions } from '../../../server/export/encode'
import { decodeRgba, encodeAll, FPS, FRAMES, gray16Frame, H, meanAbsError, probe, rgbaFrame, transparentAt, W } from './media'

/** Every format encoded from real frames by the system ffmpeg, then read back with ffprobe/ffmpeg/sharp. */

let dir: string
const opaque = Array.from({ length: FRAMES }, (_, i) => rgbaFrame(i, false))
const withAlpha = Array.from({ length: FRAMES }, (_, i) => rgbaFrame(i, true))
const RGB = [0, 1, 2]
const ALPHA = [3]

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattice-encode-'))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function options(baseName: string, target: EncoderOptions['target']): EncoderOptions {
  return { width: W, height: H, fps: FPS, pixels: 'rgba', directory: dir, baseName, target }
}

const opaqueIn = (frame: number) => (p: number) => !transparentAt(p % W, Math.floor(p / W), frame)

describe('video formats', () => {
  it('H.264: High profile yuv420p MP4 tagged BT.709, every frame, colours within 3 levels', async () => {
    const out = await encodeAll(options('h264', { kind: 'video', format: 'h264' }), opaque)
    expect(out).toEqual({ files: [join(dir, 'h264.mp4')], mime: 'video/mp4' })
    const { streams, format } = await probe(out.files[0]!)
    expect(format.format_name).toContain('mp4')
    expect(streams).toHaveLength(1)
    expect(streams[0]).toMatchObject({
      codec_name: 'h264', profile: 'High', pix_fmt: 'yuv420p', width: W, height: H, r_frame_rate: '10/1', nb_read_frames: '10',
      color_space: 'bt709', color_primaries: 'bt709', color_transfer: 'bt709',
    })
    const decoded = await decodeRgba(out.files[0]!)
    expect(decoded).toHaveLength(FRAMES)
    for (let f = 0; f < FRAMES; f++) expect(meanAbsError(decoded[f]!, opaque[f]!, RGB)).toBeLessThan(3)
  })

  it('H.264 converts with the BT.709 matrix it is tagged with: pure primaries decode within 2 levels', async () => {
    // Opaque red, green and blue stripes, 22 pixels wide.
    const primaries = new Uint8Array(W * H * 4)
    for (let p = 0; p < W * H; p++) {
      primaries[p * 4 + Math.floor((p % W) / 22)] = 255
      primaries[p * 4 + 3] = 255
    }
    const out = await encodeAll(options('primaries', { kind: 'video', format: 'h264' }), [primaries, primaries])
    const [decoded] = await decodeRgba(out.files[0]!)
    // Away from the stripes' edges, where 4:2:0 chroma blurs.
    const inside = (p: number) => [4, 8, 16, 26, 34, 40, 48, 56].includes(p % W)
    expect(meanAbsError(decoded!, primaries, RGB, inside)).toBeLessThan(2)
  })

  it('H.264 rounds an odd size down to even (4:2:0 needs it)', async () => {
    const frame = new Uint8Array(63 * 47 * 4).fill(200)
    const out = await encodeAll({ ...options('odd', { kind: 'video', format: 'h264' }), width: 63, height: 47 }, [frame, frame])
    expect((await probe(out.files[0]!)).streams[0]).toMatchObject({ width: 62, height: 46, nb_read_frames: '2' })
  })

  it('H.265: hvc1-tagged HEVC yuv420p MP4, colours within 3 levels', async () => {
    const out = await encodeAll(options('h265', { kind: 'video', format: 'h265' }), opaque)
    expect(out.mime).toBe('video/mp4')
    const { streams } = await probe(out.files[0]!)
    expect(streams[0]).toMatchObject({ codec_name: 'hevc', codec_tag_string: 'hvc1', pix_fmt: 'yuv420p', width: W, height: H, r_frame_rate: '10/1', nb_read_frames: '10', color_space: 'bt709' })
    const decoded = await decodeRgba(out.files[0]!)
    for (let f = 0; f < FRAMES; f++) expect(meanAbsError(decoded[f]!, opaque[f]!, RGB)).toBeLessThan(3)
  })

  it('VP9 WebM keeps alpha (alpha_mode=1), decoded by libvpx: colours within 3, alpha within 2', async () => {
    const out = await encodeAll(options('vp9', { kind: 'video', format: 'vp9' }), withAlpha)
    expect(out).toEqual({ files: [join(dir, 'vp9.webm')], mime: 'video/webm' })
    const { streams } = await probe(out.files[0]!)
    // The alpha plane is a side stream in WebM, so ffprobe shows the colour planes only.
    expect(streams[0]).toMatchObject({ codec_name: 'vp9', pix_fmt: 'yuv420p', width: W, height: H, r_frame_rate: '10/1', nb_read_frames: '10' })
    expect(streams[0]!.tags).toMatchObject({ alpha_mode: '1' })
    const decoded = await decodeRgba(out.files[0]!, true)
    expect(decoded).toHaveLength(FRAMES)
    for (let f = 0; f < FRAMES; f++) {
      expect(meanAbsError(decoded[f]!, withAlpha[f]!, ALPHA)).toBeLessThan(2)
      expect(meanAbsError(decoded[f]!, withAlpha[f]!, RGB, opaqueIn(f))).toBeLessThan(3)
    }
  })

  it('ProRes 4444 MOV keeps alpha: profile 4444, 12-bit 4:4:4 + alpha, colours within 1', async () => {
    const out = await encodeAll(options('prores', { kind: 'video', format: 'prores4444' }), withAlpha)
    expect(out).toEqual({ files: [join(dir, 'prores.mov')], mime: 'video/quicktime' })
    const { streams, format } = await probe(out.files[0]!)
    expect(format.format_name).toContain('mov')
    expect(streams[0]).toMatchObject({ codec_name: 'prores', codec_tag_string: 'ap4h', profile: '4444', pix_fmt: 'yuva444p12le', width: W, height: H, nb_read_frames: '10', color_space: 'bt709' })
    const decoded = await decodeRgba(out.files[0]!)
    for (let f = 0; f < FRAMES; f++) {
      expect(meanAbsError(decoded[f]!, withAlpha[f]!, ALPHA)).toBe(0)
      expect(meanAbsError(decoded[f]!, withAlpha[f]!, RGB, opaqueIn(f))).toBeLessThan(1)
    }
  })

  it('GIF: transparent where alpha is 0, opaque elsewhere, colours within 12 after the palette and Bayer dithering', async () => {
    const out = await encodeAll(options('anim', { kind: 'video', format: 'gif' }), withAlpha)
    expect(out).toEqual({ files: [join(dir, 'anim.gif')], mime: 'image/gif' })
    const { streams } = await probe(out.files[0]!)
    expect(streams[0]).toMatchObject({ codec_name: 'gif', width: W, height: H, r_frame_rate: '10/1', nb_read_frames: '10' })
    const decoded = await decodeRgba(out.files[0]!)
    expect(decoded).toHaveLength(FRAMES)
    for (let f = 0; f < FRAMES; f++) {
      expect(meanAbsError(decoded[f]!, withAlpha[f]!, ALPHA)).toBe(0)
      expect(meanAbsError(decoded[f]!, withAlpha[f]!, RGB, opaqueIn(f))).toBeLessThan(12)
    }
  })
})

describe('image sequences', () => {
  it('PNG: one RGBA file per frame numbered from 0, decoding to exactly the input', async () => {
    const out = await encodeAll(options('color', { kind: 'sequence', format: 'png' }), withAlpha)
    expect(out.mime).toBe('image/png')
    expect(out.files.map((f) => basename(f))).toEqual(Array.from({ length: FRAMES }, (_, i) => `color_0000${i}.png`))
    expect((await readdir(dir)).filter((f) => f.startsWith('color_'))).toHaveLength(FRAMES)
    for (let f = 0; f < FRAMES; f++) {
      const { data, info } = await sharp(out.files[f]).raw().toBuffer({ resolveWithObject: true })
      expect(info).toMatchObject({ width: W, height: H, channels: 4 })
      expect(new Uint8Array(data).every((v, i) => v === withAlpha[f]![i])).toBe(true)
    }
  })

  it('16-bit PNG: gray16le frames become gray16be PNGs that decode to exactly the input', async () => {
    const frames = Array.from({ length: FRAMES }, (_, i) => gray16Frame(i))
    const out = await encodeAll({ ...options('depth', { kind: 'sequence', format: 'png16' }), pixels: 'gray16le' }, frames)
    expect(out.files).toHaveLength(FRAMES)
    expect((await probe(out.files[0]!)).streams[0]).toMatchObject({ codec_name: 'png', pix_fmt: 'gray16be', width: W, height: H })
    for (let f = 0; f < FRAMES; f++) {
      const { data, info } = await sharp(out.files[f]).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true })
      expect(info).toMatchObject({ width: W, height: H, channels: 1 })
      const expected = new Uint16Array(frames[f]!.buffer)
      const actual = new Uint16Array(data.buffer, data.byteOffset, data.length / 2)
      expect(actual.every((v, i) => v === expected[i])).toBe(true)
    }
  })

  it('JPEG: one file per frame, quality 100 within 2 levels, quality 1 smaller and coarser', async () => {
    const best = await encodeAll(options('best', { kind: 'sequence', format: 'jpeg', quality: 100 }), opaque)
    const worst = await encodeAll(options('worst', { kind: 'sequence', format: 'jpeg', quality: 1 }), opaque)
    expect(best.mime).toBe('image/jpeg')
    expect(best.files.map((f) => basename(f))).toEqual(Array.from({ length: FRAMES }, (_, i) => `best_0000${i}.jpg`))
    expect((await probe(best.files[0]!)).streams[0]).toMatchObject({ codec_name: 'mjpeg', width: W, height: H })
    const decode = async (file: string) => new Uint8Array(await sharp(file).ensureAlpha().raw().toBuffer())
    const bestError = meanAbsError(await decode(best.files[3]!), opaque[3]!, RGB)
    const worstError = meanAbsError(await decode(worst.files[3]!), opaque[3]!, RGB)
    expect(bestError).toBeLessThan(2)
    expect(worstError).toBeGreaterThan(bestError)
    expect((await stat(worst.files[3]!)).size).toBeLessThan((await stat(best.files[3]!)).size)
  })
})
