import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../../shared/errors'
import { decodeImage, fitLongestSide, greyPng, IMAGENET_MEAN, IMAGENET_STD, resizeFloat, toTensor } from '../../../../server/ml/tasks/image'
import { readGrey } from './helpers'

const solid = (width: number, height: number, rgb: [number, number, number]) => ({
  data: Uint8Array.from({ length: width * height * 3 }, (_, i) => rgb[i % 3]!),
  width,
  height,
  channels: 3 as const,
})

describe('toTensor', () => {
  it('normalises (v/255 − mean)/std per channel into planar CHW', async () => {
    const t = await toTensor(solid(4, 2, [255, 0, 128]), { width: 4, height: 2, mean: IMAGENET_MEAN, std: IMAGENET_STD, resize: 'bilinear' })
    expect(t.dims).toEqual([1, 3, 2, 4])
    expect(t.data[0]).toBeCloseTo((1 - 0.485) / 0.229, 5) // 2.2489
    expect(t.data[8]).toBeCloseTo((0 - 0.456) / 0.224, 5) // −2.0357
    expect(t.data[16]).toBeCloseTo((128 / 255 - 0.406) / 0.225, 5) // 0.4265
    expect(t.data[7]).toBeCloseTo(t.data[0]!, 6)
  })

  it("ISNet's (v − 128)/256 is mean 128/255, std 256/255", async () => {
    const t = await toTensor(solid(2, 2, [0, 128, 255]), { width: 2, height: 2, mean: [128 / 255, 128 / 255, 128 / 255], std: [256 / 255, 256 / 255, 256 / 255], resize: 'bilinear' })
    expect(t.data[0]).toBeCloseTo(-0.5, 5)
    expect(t.data[4]).toBeCloseTo(0, 5)
    expect(t.data[8]).toBeCloseTo(127 / 256, 5)
  })

  it('pads bottom/right with zeros after scaling the longest side (SAM)', async () => {
    const t = await toTensor(solid(200, 100, [255, 255, 255]), { width: 64, height: 64, mean: IMAGENET_MEAN, std: IMAGENET_STD, resize: 'bilinear', pad: true })
    expect([t.contentWidth, t.contentHeight]).toEqual([64, 32])
    expect(t.data[31 * 64 + 63]).toBeCloseTo((1 - 0.485) / 0.229, 4)
    expect(t.data[32 * 64]).toBe(0)
    expect(t.data[63 * 64 + 63]).toBe(0)
  })

  it('fitLongestSide rounds like SamProcessor', () => {
    expect(fitLongestSide(1920, 1080, 1024)).toEqual({ width: 1024, height: 576 })
    expect(fitLongestSide(600, 400, 1024)).toEqual({ width: 1024, height: 683 })
    expect(fitLongestSide(300, 1000, 1024)).toEqual({ width: 307, height: 1024 })
  })
})

describe('resizeFloat', () => {
  it('bilinear with half-pixel centres: 2 → 4 gives 0, 0.25, 0.75, 1', () => {
    expect([...resizeFloat(Float32Array.from([0, 1]), 2, 1, 4, 1)]).toEqual([0, 0.25, 0.75, 1])
  })
  it('resizes only the cropped top-left region', () => {
    // 4×1 source, crop 2 wide: the right half (9s) never shows.
    const out = resizeFloat(Float32Array.from([1, 1, 9, 9]), 4, 1, 3, 1, { width: 2, height: 1 })
    expect([...out]).toEqual([1, 1, 1])
  })
})

describe('decodeImage', () => {
  it('decodes to RGB at the source size', async () => {
    const png = await sharp({ create: { width: 5, height: 3, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 1 } } }).png().toBuffer()
    const image = await decodeImage(png)
    expect([image.width, image.height, image.channels, image.data.length]).toEqual([5, 3, 3, 45])
    expect([...image.data.subarray(0, 3)]).toEqual([10, 20, 30])
  })

  it('refuses an image over the pixel limit from its header', async () => {
    const png = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#000' } }).png().toBuffer()
    const error = await decodeImage(png, { maxPixels: 9_999 }).catch((e) => e)
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.message).toMatch(/100×100.*scale it down/)
  })

  it('refuses non-images and unsupported formats', async () => {
    const text = await decodeImage(Buffer.from('hello, not an image')).catch((e) => e)
    expect(text.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    const svg = await decodeImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')).catch((e) => e)
    expect(svg.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    expect(svg.message).toMatch(/svg format are not supported: convert it/)
    const missing = await decodeImage('/nonexistent/image.png').catch((e) => e)
    expect(missing.code).toBe('NOT_FOUND')
  })

  it('a 16-bit PNG decodes to 8-bit RGB', async () => {
    const png = await greyPng(Uint16Array.from([0, 65535, 32896, 65535]), 2, 2)
    const image = await decodeImage(png)
    expect([...image.data]).toEqual([0, 0, 0, 255, 255, 255, 128, 128, 128, 255, 255, 255])
  })
})

describe('greyPng', () => {
  it('writes 16-bit and 8-bit one-channel PNGs that read back exactly', async () => {
    const sixteen = await readGrey(await greyPng(Uint16Array.from([0, 1, 65534, 65535, 300, 40000]), 3, 2))
    expect(sixteen.bits).toBe(16)
    expect([...sixteen.levels]).toEqual([0, 1, 65534, 65535, 300, 40000])
    expect((await sharp(await greyPng(Uint16Array.from([1, 2]), 2, 1)).metadata()).channels).toBe(1)
    const eight = await readGrey(await greyPng(Uint8Array.from([0, 7, 255]), 3, 1))
    expect([eight.bits, ...eight.levels]).toEqual([8, 0, 7, 255])
  })
})
