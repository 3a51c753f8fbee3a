import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { detectMediaType, probeAudio, probeImage, probeMedia, probeVideo } from '../../../server/media'
import { AppError } from '../../../shared/errors'
import { makeFixtures, type Fixtures } from './fixtures'

let f: Fixtures

beforeAll(async () => {
  f = await makeFixtures()
}, 60_000)

afterAll(async () => {
  await f?.cleanup()
})

describe('probeVideo', () => {
  it('reads size, rate, frame count and the audio track of an MP4', async () => {
    const v = await probeVideo(f.videoWithAudio)
    expect(v).toMatchObject({ width: 320, height: 240, fps: 25, codec: 'h264', hasAudio: true })
    expect(v.durationSeconds).toBeCloseTo(2, 1)
    expect(Math.abs(v.frameCount - 50)).toBeLessThanOrEqual(1)
    expect(v.audio).toEqual({ codec: 'aac', sampleRate: 44100, channels: 1 })
  })

  it('derives the frame count from duration × fps when the container has no count (WebM)', async () => {
    const v = await probeVideo(f.silentWebm)
    expect(v).toMatchObject({ width: 320, height: 240, fps: 25, codec: 'vp8', hasAudio: false })
    expect(v.audio).toBeUndefined()
    expect(v.durationSeconds).toBeCloseTo(2, 1)
    expect(Math.abs(v.frameCount - 50)).toBeLessThanOrEqual(1)
  })

  it('reports the upright size of a rotated (portrait) video', async () => {
    expect(await probeVideo(f.rotatedMp4)).toMatchObject({ width: 240, height: 320 })
  })

  it('turns a truncated MP4 into BAD_REQUEST with ffprobe’s reason and no server path', async () => {
    const error = await probeVideo(f.truncatedMp4).then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('BAD_REQUEST')
    const message = (error as AppError).message
    expect(message).toMatch(/^The file could not be read as video: .*moov atom not found/)
    expect(message).toContain('Re-export it')
    expect(message).not.toContain(f.dir)
  })

  it('says so when a file has no video stream', async () => {
    await expect(probeVideo(f.wav)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('no video stream') })
  })
})

describe('probeAudio', () => {
  it('reads duration, codec and format of a WAV', async () => {
    const a = await probeAudio(f.wav)
    expect(a).toMatchObject({ codec: 'pcm_s16le', sampleRate: 44100, channels: 1 })
    expect(a.durationSeconds).toBeCloseTo(2, 1)
  })
})

describe('probeImage', () => {
  it('reads a PNG with alpha', async () => {
    expect(await probeImage(f.alphaPng)).toEqual({ width: 200, height: 100, format: 'png', hasAlpha: true })
  })

  it('reports the displayed size and the orientation tag of a rotated JPEG', async () => {
    expect(await probeImage(f.orientedJpeg)).toEqual({ width: 200, height: 400, format: 'jpeg', hasAlpha: false, orientation: 6 })
  })

  it('counts the frames of an animated GIF', async () => {
    expect(await probeImage(f.animatedGif)).toMatchObject({ width: 160, height: 120, format: 'gif', pages: 5 })
  })

  it('turns an unreadable image into BAD_REQUEST', async () => {
    await expect(probeImage(f.textNamedPng)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^The file could not be read as image: .*Re-save it as PNG or JPEG/),
    })
  })
})

describe('probeMedia', () => {
  it('keeps a real video as video', async () => {
    const probed = await probeMedia(f.videoWithAudio, await detectMediaType(f.videoWithAudio))
    expect(probed.kind).toBe('video')
    expect(probed.metadata).toMatchObject({ width: 320, height: 240, hasAudio: true })
  })

  it('turns an audio-only Matroska file into audio', async () => {
    const probed = await probeMedia(f.audioOnlyMkv, await detectMediaType(f.audioOnlyMkv))
    expect(probed).toMatchObject({ kind: 'audio', mime: 'audio/matroska', metadata: { codec: 'opus', sampleRate: 48000, channels: 1 } })
    expect((probed.metadata as { durationSeconds: number }).durationSeconds).toBeCloseTo(2, 1)
  })

  it('does not count cover art as video', async () => {
    const probed = await probeMedia(f.audioWithCoverMp4, await detectMediaType(f.audioWithCoverMp4))
    expect(probed).toMatchObject({ kind: 'audio', mime: 'audio/mp4', metadata: { codec: 'aac' } })
  })

  it('probes images with sharp', async () => {
    const probed = await probeMedia(f.pngNamedMp4, await detectMediaType(f.pngNamedMp4))
    expect(probed).toEqual({ kind: 'image', mime: 'image/png', metadata: { width: 200, height: 100, format: 'png', hasAlpha: true } })
  })

  it('reports a truncated video as BAD_REQUEST', async () => {
    await expect(probeMedia(f.truncatedMp4, await detectMediaType(f.truncatedMp4))).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })
})
