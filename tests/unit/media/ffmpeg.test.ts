import { afterEach, describe, expect, it } from 'vitest'
import { ffmpegAvailable, frameRate, makeThumbnail, parseRate, probeVideo, thumbnailTime } from '../../../server/media'
import { shortReason } from '../../../server/media/ffmpeg-text'

const saved = { ffmpeg: process.env.LATTICE_FFMPEG_PATH, ffprobe: process.env.LATTICE_FFPROBE_PATH }

afterEach(() => {
  restore('LATTICE_FFMPEG_PATH', saved.ffmpeg)
  restore('LATTICE_FFPROBE_PATH', saved.ffprobe)
})

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name]
  else process.env[name] = value
}

describe('ffmpegAvailable', () => {
  it('returns the installed version', async () => {
    expect(await ffmpegAvailable()).toMatch(/^\d+\.\d+/)
  })

  it('says how to install ffmpeg when the configured binary is missing', async () => {
    process.env.LATTICE_FFMPEG_PATH = '/nonexistent/ffmpeg'
    await expect(ffmpegAvailable()).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'ffmpeg was not found: install it (apt-get install ffmpeg) or set LATTICE_FFMPEG_PATH',
    })
  })

  it('reports a missing ffmpeg as SERVICE_UNAVAILABLE instead of crashing when rendering', async () => {
    process.env.LATTICE_FFMPEG_PATH = '/nonexistent/ffmpeg'
    await expect(makeThumbnail('/nonexistent/in.mp4', 'video', '/nonexistent/out.webp', { durationSeconds: 1 })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
    })
  })

  it('reports a missing ffprobe as SERVICE_UNAVAILABLE, not as a bad file', async () => {
    process.env.LATTICE_FFPROBE_PATH = '/nonexistent/ffprobe'
    await expect(probeVideo('/nonexistent/in.mp4')).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('LATTICE_FFPROBE_PATH'),
    })
  })
})

describe('frame rates', () => {
  it('parses ffprobe rationals', () => {
    expect(parseRate('30000/1001')).toBeCloseTo(29.97, 2)
    expect(parseRate('25/1')).toBe(25)
    expect(parseRate('24')).toBe(24)
    expect(parseRate('0/0')).toBeUndefined()
    expect(parseRate('N/A')).toBeUndefined()
    expect(parseRate(undefined)).toBeUndefined()
  })

  it('prefers the exact nominal rate when both agree, the average when r is a timebase', () => {
    expect(frameRate({ rFrameRate: '30000/1001', avgFrameRate: '2997/100' })).toBeCloseTo(30000 / 1001, 6)
    expect(frameRate({ rFrameRate: '90000/1', avgFrameRate: '30/1' })).toBe(30)
    expect(frameRate({ rFrameRate: '24/1', avgFrameRate: '0/0' })).toBe(24)
  })
})

describe('thumbnailTime', () => {
  it('is 10% in, never negative and always before the end', () => {
    expect(thumbnailTime(10)).toBe(1)
    expect(thumbnailTime(0)).toBe(0)
    expect(thumbnailTime(Number.NaN)).toBe(0)
    expect(thumbnailTime(0.04)).toBeLessThan(0.04)
  })
})

describe('shortReason', () => {
  it('drops decoder prefixes and the server path, keeping the distinct messages', () => {
    const stderr = [
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d1c0a4e180] moov atom not found',
      '/srv/lattice/data/assets/ab/abcdef: Invalid data found when processing input',
      '',
    ].join('\n')
    expect(shortReason(`ffprobe exited with code 1\n${stderr}`, '/srv/lattice/data/assets/ab/abcdef')).toBe(
      'moov atom not found; Invalid data found when processing input',
    )
  })

  it('stays short', () => {
    expect(shortReason('x'.repeat(500), '/f').length).toBeLessThanOrEqual(200)
    expect(shortReason('', '/f')).toBe('unknown error')
  })
})
