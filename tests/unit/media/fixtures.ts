import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import sharp from 'sharp'

const run = promisify(execFile)

/** Real media made with the system ffmpeg and sharp, so probing is tested against real output. */
export interface Fixtures {
  dir: string
  /** 320×240, 25 fps, 2 s H.264 + AAC tone. */
  videoWithAudio: string
  /** 320×240, 25 fps, 2 s VP8, no audio. */
  silentWebm: string
  /** The first MP4 with a 90° display rotation, as phones record portrait video. */
  rotatedMp4: string
  wav: string
  /** Opus audio in Matroska: file-type calls it video/matroska. */
  audioOnlyMkv: string
  /** AAC in MP4 plus a cover picture, which is a video stream that is not a video. */
  audioWithCoverMp4: string
  /** 200×100 RGBA. */
  alphaPng: string
  /** Stored 400×200 with EXIF orientation 6, so it displays as 200×400. */
  orientedJpeg: string
  /** 5 frames of 160×120. */
  animatedGif: string
  /** A PNG whose name says MP4. */
  pngNamedMp4: string
  /** Text whose name says PNG. */
  textNamedPng: string
  /** The first 2 KB of videoWithAudio: no moov atom. */
  truncatedMp4: string
  /** A PNG signature and header with the pixel data cut off. */
  truncatedPng: string
  pdf: string
  bmp: string
  exr: string
  cleanup: () => Promise<void>
}

export async function makeFixtures(): Promise<Fixtures> {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-media-'))
  const at = (name: string) => join(dir, name)
  const ffmpeg = (...args: string[]) => run('ffmpeg', ['-v', 'error', '-y', ...args], { timeout: 60_000 })
  const testsrc = ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25']
  const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440']

  const f = {
    dir,
    videoWithAudio: at('av.mp4'),
    silentWebm: at('silent.webm'),
    rotatedMp4: at('rotated.mp4'),
    wav: at('tone.wav'),
    audioOnlyMkv: at('tone.mkv'),
    audioWithCoverMp4: at('cover.mp4'),
    alphaPng: at('alpha.png'),
    orientedJpeg: at('oriented.jpg'),
    animatedGif: at('anim.gif'),
    pngNamedMp4: at('image.mp4'),
    textNamedPng: at('notes.png'),
    truncatedMp4: at('truncated.mp4'),
    truncatedPng: at('truncated.png'),
    pdf: at('doc.pdf'),
    bmp: at('picture.bmp'),
    exr: at('render.exr'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }

  await Promise.all([
    ffmpeg(...testsrc, ...tone, '-t', '2', '-shortest', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', f.videoWithAudio),
    ffmpeg(...testsrc, '-t', '2', '-c:v', 'libvpx', '-b:v', '200k', f.silentWebm),
    ffmpeg(...tone, '-t', '2', f.wav),
    ffmpeg(...tone, '-t', '2', '-c:a', 'libopus', f.audioOnlyMkv),
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=5', '-t', '1', f.animatedGif),
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=64x48', '-frames:v', '1', f.bmp),
    ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=64x64', '-frames:v', '1', at('cover.png')),
    sharp({ create: { width: 200, height: 100, channels: 4, background: { r: 0, g: 128, b: 255, alpha: 0.5 } } })
      .png()
      .toFile(f.alphaPng),
    sharp({ create: { width: 400, height: 200, channels: 3, background: '#c03030' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(f.orientedJpeg),
    writeFile(f.textNamedPng, 'These are notes, not a picture.\n'),
    writeFile(f.pdf, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
    // OpenEXR magic number and version, then filler: enough for detection, not a real image.
    writeFile(f.exr, Buffer.concat([Buffer.from([0x76, 0x2f, 0x31, 0x01, 0x02, 0, 0, 0]), Buffer.alloc(256)])),
  ])
  await Promise.all([
    ffmpeg('-i', f.videoWithAudio, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', f.rotatedMp4),
    ffmpeg('-i', f.wav, '-i', at('cover.png'), '-map', '0:a', '-map', '1:v', '-c:a', 'aac', '-c:v', 'mjpeg', '-disposition:v:0', 'attached_pic', f.audioWithCoverMp4),
    copyFile(f.alphaPng, f.pngNamedMp4),
    readFile(f.videoWithAudio).then((bytes) => writeFile(f.truncatedMp4, bytes.subarray(0, 2048))),
    readFile(f.alphaPng).then((bytes) => writeFile(f.truncatedPng, bytes.subarray(0, 60))),
  ])
  return f
}
