import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { makeThumbnail } from '../../../server/media'
import { AppError } from '../../../shared/errors'
import { makeFixtures, type Fixtures } from './fixtures'

let f: Fixtures
let out: string

beforeAll(async () => {
  f = await makeFixtures()
}, 60_000)

afterAll(async () => {
  await f?.cleanup()
})

beforeEach(async () => {
  out = await mkdtemp(join(f.dir, 'thumbs-'))
})

afterEach(async () => {
  await rm(out, { recursive: true, force: true })
})

/** Checks the bytes really are WebP (RIFF....WEBP) and returns the decoded size. */
async function webpSize(path: string): Promise<{ width: number; height: number }> {
  const bytes = await readFile(path)
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF')
  expect(bytes.subarray(8, 12).toString('latin1')).toBe('WEBP')
  const meta = await sharp(path).metadata()
  expect(meta.format).toBe('webp')
  return { width: meta.width, height: meta.height }
}

async function failure(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(() => null, (e: unknown) => e)
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

describe('makeThumbnail', () => {
  it('writes a WebP of a video frame that keeps the 4:3 aspect, leaving only the thumbnail', async () => {
    const target = join(out, 'video.webp')
    const size = await makeThumbnail(f.videoWithAudio, 'video', target)
    expect(size).toEqual({ width: 320, height: 240 })
    expect(await webpSize(target)).toEqual(size)
    expect(await readdir(out)).toEqual(['video.webp'])
  })

  it('fits inside maxSize and keeps aspect', async () => {
    const target = join(out, 'small.webp')
    expect(await makeThumbnail(f.silentWebm, 'video', target, { maxSize: 100, durationSeconds: 2 })).toEqual({ width: 100, height: 75 })
    expect(await webpSize(target)).toEqual({ width: 100, height: 75 })
  })

  it('shows a rotated video upright', async () => {
    const target = join(out, 'portrait.webp')
    expect(await makeThumbnail(f.rotatedMp4, 'video', target)).toEqual({ width: 240, height: 320 })
    expect(await webpSize(target)).toEqual({ width: 240, height: 320 })
  })

  it('applies EXIF orientation to images', async () => {
    const target = join(out, 'photo.webp')
    expect(await makeThumbnail(f.orientedJpeg, 'image', target)).toEqual({ width: 160, height: 320 })
    expect(await webpSize(target)).toEqual({ width: 160, height: 320 })
  })

  it('does not enlarge a small image and keeps its alpha', async () => {
    const target = join(out, 'alpha.webp')
    expect(await makeThumbnail(f.alphaPng, 'image', target)).toEqual({ width: 200, height: 100 })
    expect((await sharp(target).metadata()).hasAlpha).toBe(true)
  })

  it('uses the first frame of an animated GIF and writes a still WebP', async () => {
    const target = join(out, 'anim.webp')
    expect(await makeThumbnail(f.animatedGif, 'image', target)).toEqual({ width: 160, height: 120 })
    expect((await sharp(target).metadata()).pages ?? 1).toBe(1)
  })

  it('draws a waveform for audio, 2:1 inside maxSize', async () => {
    const target = join(out, 'tone.webp')
    expect(await makeThumbnail(f.wav, 'audio', target)).toEqual({ width: 320, height: 160 })
    expect(await webpSize(target)).toEqual({ width: 320, height: 160 })
    expect(await readdir(out)).toEqual(['tone.webp'])
  })

  it('fails a truncated video with BAD_REQUEST and leaves no temp files', async () => {
    // The duration is given, so the failure comes from frame extraction rather than the probe.
    const error = await failure(makeThumbnail(f.truncatedMp4, 'video', join(out, 'broken.webp'), { durationSeconds: 2 }))
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.message).toMatch(/^The file could not be read as video: /)
    expect(error.message).not.toContain(f.dir)
    expect(await readdir(out)).toEqual([])
  })

  it('fails a truncated image with BAD_REQUEST and leaves no temp files', async () => {
    const error = await failure(makeThumbnail(f.truncatedPng, 'image', join(out, 'broken.webp')))
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.message).toMatch(/^The file could not be read as image: /)
    expect(await readdir(out)).toEqual([])
  })

  it('replaces an existing thumbnail in place', async () => {
    const target = join(out, 'same.webp')
    await makeThumbnail(f.alphaPng, 'image', target)
    expect(await makeThumbnail(f.orientedJpeg, 'image', target)).toEqual({ width: 160, height: 320 })
    expect(await webpSize(target)).toEqual({ width: 160, height: 320 })
    expect(await readdir(out)).toEqual(['same.webp'])
  })
})
