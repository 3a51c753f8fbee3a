import { describe, expect, it } from 'vitest'
import { jpegQScale, outputFiles, planEncode, type EncodePlanInput } from '../../../server/export/encode'

/** The ffmpeg command lines themselves, without running ffmpeg. */

const base: EncodePlanInput = { width: 64, height: 48, fps: 24, pixels: 'rgba', directory: '/data/out', baseName: 'shot', target: { kind: 'video', format: 'h264' } }

/** The value following `flag` in the arguments. */
function after(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag)
  return i < 0 ? undefined : args[i + 1]
}

describe('planEncode', () => {
  it('reads raw frames of the given layout, size and rate from stdin', () => {
    const { args } = planEncode({ ...base, pixels: 'gray16le', fps: 23.976 })
    expect(args.join(' ')).toContain('-f rawvideo -pix_fmt gray16le -s 64x48 -r 23.976 -i pipe:0')
  })

  it('H.264 defaults: CRF 18, preset medium, yuv420p, faststart, even size, BT.709', () => {
    const plan = planEncode(base)
    expect(plan).toMatchObject({ output: '/data/out/shot.mp4', mime: 'video/mp4', sequence: false })
    expect(after(plan.args, '-c:v')).toBe('libx264')
    expect(after(plan.args, '-crf')).toBe('18')
    expect(after(plan.args, '-preset')).toBe('medium')
    expect(after(plan.args, '-pix_fmt')).toBe('rgba') // the input's
    expect(plan.args.lastIndexOf('yuv420p')).toBeGreaterThan(plan.args.indexOf('pipe:0'))
    expect(after(plan.args, '-movflags')).toBe('+faststart')
    expect(after(plan.args, '-vf')).toMatch(/^scale=trunc\(iw\/2\)\*2:trunc\(ih\/2\)\*2:out_color_matrix=bt709:out_range=tv,setparams=.*colorspace=bt709/)
    expect(plan.args.slice(-3)).toEqual(['-f', 'mp4', '/data/out/shot.mp4'])
  })

  it('takes a CRF within the codec\'s range and refuses one outside it', () => {
    expect(after(planEncode({ ...base, target: { kind: 'video', format: 'h264', crf: 30 } }).args, '-crf')).toBe('30')
    expect(after(planEncode({ ...base, target: { kind: 'video', format: 'vp9', crf: 63 } }).args, '-crf')).toBe('63')
    expect(() => planEncode({ ...base, target: { kind: 'video', format: 'h265', crf: 52 } })).toThrow('CRF for h265 is 0–51, got 52.')
    expect(planEncode({ ...base, target: { kind: 'video', format: 'prores4444', crf: 20 } }).args).not.toContain('-crf')
  })

  it('H.265 tags hvc1 and silences x265\'s own info lines; VP9 and ProRes keep alpha', () => {
    const h265 = planEncode({ ...base, target: { kind: 'video', format: 'h265' } }).args
    expect(after(h265, '-tag:v')).toBe('hvc1')
    expect(after(h265, '-crf')).toBe('23')
    expect(after(h265, '-x265-params')).toBe('log-level=error')

    const vp9 = planEncode({ ...base, target: { kind: 'video', format: 'vp9' } })
    expect(vp9.output).toBe('/data/out/shot.webm')
    expect(vp9.args.join(' ')).toContain('-c:v libvpx-vp9 -pix_fmt yuva420p -crf 28 -b:v 0 -auto-alt-ref 0')

    const prores = planEncode({ ...base, target: { kind: 'video', format: 'prores4444' } })
    expect(prores).toMatchObject({ output: '/data/out/shot.mov', mime: 'video/quicktime' })
    expect(prores.args.join(' ')).toContain('-c:v prores_ks -profile:v 4444 -pix_fmt yuva444p10le -vendor apl0 -alpha_bits 16')
  })

  it('GIF builds its palette from all frames, keeps transparency and ignores audio', () => {
    const plan = planEncode({ ...base, target: { kind: 'video', format: 'gif' }, audio: [{ path: '/a.wav', startSeconds: 0, offsetSeconds: 0, durationSeconds: 1 }] })
    expect(after(plan.args, '-filter_complex')).toBe(
      '[0:v]split[a][b];[a]palettegen=reserve_transparent=1:stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=5:alpha_threshold=128',
    )
    expect(after(plan.args, '-loop')).toBe('0')
    expect(plan.args).not.toContain('/a.wav')
  })

  it('sequences number frames from 0 with five digits', () => {
    const png = planEncode({ ...base, target: { kind: 'sequence', format: 'png' } })
    expect(png).toMatchObject({ output: '/data/out/shot_%05d.png', mime: 'image/png', sequence: true })
    expect(png.args.slice(-5)).toEqual(['-start_number', '0', '-f', 'image2', '/data/out/shot_%05d.png'])
    expect(after(png.args.slice(png.args.indexOf('pipe:0')), '-pix_fmt')).toBe('rgba')
    expect(outputFiles(png, 3)).toEqual(['/data/out/shot_00000.png', '/data/out/shot_00001.png', '/data/out/shot_00002.png'])

    const png16 = planEncode({ ...base, pixels: 'gray16le', target: { kind: 'sequence', format: 'png16' } })
    expect(after(png16.args.slice(png16.args.indexOf('pipe:0')), '-pix_fmt')).toBe('gray16be')

    const jpeg = planEncode({ ...base, target: { kind: 'sequence', format: 'jpeg', quality: 1 } })
    expect(jpeg).toMatchObject({ output: '/data/out/shot_%05d.jpg', mime: 'image/jpeg' })
    expect(after(jpeg.args, '-q:v')).toBe('31')
  })

  it('maps JPEG quality 1–100 onto mjpeg\'s 31–2', () => {
    expect([1, 50, 90, 100].map(jpegQScale)).toEqual([31, 17, 5, 2])
  })

  it('mixes audio clips with atrim, adelay and amix without normalisation, then cuts at the video\'s end', () => {
    const { args } = planEncode({
      ...base,
      audio: [
        { path: '/a.wav', startSeconds: 1.5, offsetSeconds: 2, durationSeconds: 3 },
        { path: '/b.mp3', startSeconds: 0, offsetSeconds: 0, durationSeconds: 10, volume: 0.25 },
      ],
    })
    expect(args.join(' ')).toContain('-i pipe:0 -i /a.wav -i /b.mp3')
    expect(after(args, '-filter_complex')).toBe(
      '[1:a:0]atrim=start=2.000000:duration=3.000000,asetpts=PTS-STARTPTS,volume=1,adelay=delays=1500:all=1[c0];'
        + '[2:a:0]atrim=start=0.000000:duration=10.000000,asetpts=PTS-STARTPTS,volume=0.25,adelay=delays=0:all=1[c1];'
        + '[c0][c1]amix=inputs=2:normalize=0:dropout_transition=0,apad[audio]',
    )
    expect(args.join(' ')).toContain('-map 0:v:0 -map [audio] -c:a aac -b:a 192k -ar 48000 -shortest')
    const codecs = (format: 'vp9' | 'prores4444') => after(planEncode({ ...base, target: { kind: 'video', format }, audio: [{ path: '/a.wav', startSeconds: 0, offsetSeconds: 0, durationSeconds: 1 }] }).args, '-c:a')
    expect(codecs('vp9')).toBe('libopus')
    expect(codecs('prores4444')).toBe('pcm_s16le')
  })

  it('refuses names that are not plain file names, and bad sizes', () => {
    for (const baseName of ['', '.', '..', 'a/b', '../x', 'a\\b', 'frame%d']) {
      expect(() => planEncode({ ...base, baseName })).toThrow('is not a plain file name')
    }
    expect(() => planEncode({ ...base, directory: 'relative' })).toThrow('absolute path')
    expect(() => planEncode({ ...base, width: 0 })).toThrow('Frame size')
    expect(() => planEncode({ ...base, fps: 0 })).toThrow('Frame rate')
    expect(() => planEncode({ ...base, audio: [{ path: '/a.wav', startSeconds: -1, offsetSeconds: 0, durationSeconds: 1 }] })).toThrow('Audio clip /a.wav')
  })
})
