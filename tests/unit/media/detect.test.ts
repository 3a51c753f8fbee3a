import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { detectMediaType } from '../../../server/media'
import { AppError } from '../../../shared/errors'
import { makeFixtures, type Fixtures } from './fixtures'

let f: Fixtures

beforeAll(async () => {
  f = await makeFixtures()
}, 60_000)

afterAll(async () => {
  await f?.cleanup()
})

async function rejection(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

describe('detectMediaType', () => {
  it('goes by content: a PNG named .mp4 is a PNG image', async () => {
    expect(await detectMediaType(f.pngNamedMp4)).toEqual({ kind: 'image', mime: 'image/png', ext: 'png' })
  })

  it('recognises images, video containers and audio', async () => {
    expect(await detectMediaType(f.orientedJpeg)).toEqual({ kind: 'image', mime: 'image/jpeg', ext: 'jpg' })
    expect(await detectMediaType(f.animatedGif)).toEqual({ kind: 'image', mime: 'image/gif', ext: 'gif' })
    expect(await detectMediaType(f.videoWithAudio)).toEqual({ kind: 'video', mime: 'video/mp4', ext: 'mp4' })
    expect(await detectMediaType(f.silentWebm)).toEqual({ kind: 'video', mime: 'video/webm', ext: 'webm' })
    expect(await detectMediaType(f.wav)).toEqual({ kind: 'audio', mime: 'audio/wav', ext: 'wav' })
  })

  it('leaves audio-only containers as video until probing (the bytes say Matroska)', async () => {
    expect(await detectMediaType(f.audioOnlyMkv)).toEqual({ kind: 'video', mime: 'video/matroska', ext: 'mkv' })
  })

  it('rejects a text file named .png and lists what is accepted', async () => {
    const error = await rejection(detectMediaType(f.textNamedPng))
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    expect(error.message).toContain('could not be recognised')
    expect(error.message).toContain('PNG, JPEG')
    expect(error.message).toContain('MP4, MOV')
  })

  it('names a recognised but unsupported type', async () => {
    const error = await rejection(detectMediaType(f.pdf))
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    expect(error.message).toMatch(/^PDF \(application\/pdf\) files are not supported\. Upload images/)
  })

  it('refuses OpenEXR with a conversion hint', async () => {
    const error = await rejection(detectMediaType(f.exr))
    expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
    expect(error.message).toContain('OpenEXR')
    expect(error.message).toContain('PNG or TIFF')
  })

  it('accepts BMP only when the image library can decode it', async () => {
    const readable = (sharp.format as unknown as Record<string, { input: { file: boolean } }>).magick?.input.file === true
    if (readable) {
      expect(await detectMediaType(f.bmp)).toEqual({ kind: 'image', mime: 'image/bmp', ext: 'bmp' })
    } else {
      const error = await rejection(detectMediaType(f.bmp))
      expect(error.code).toBe('UNSUPPORTED_MEDIA_TYPE')
      expect(error.message).toContain('BMP (image/bmp) images cannot be read')
    }
  })
})
