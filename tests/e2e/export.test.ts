import { execFileSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient, LatticeExportError, type LatticeClient } from '../../client'
import type { HeadlessApi } from '../../renderer'
import { cameraAt } from '../../shared/engine'
import { createEmptyDocument, parseDocument, type LayerInput, type ProjectDocument } from '../../shared/project'
import { BOOTSTRAP_TOKEN, startServer, type RunningServer } from './server'

const WIDTH = 160
const HEIGHT = 96
const FRAMES = 6

/** Solid, text with eased keys, an image, a 3D layer and a camera: what every pass touches. */
function shot(imageId: string): ProjectDocument {
  const base = createEmptyDocument({ name: 'Export shot', width: WIDTH, height: HEIGHT, fps: 12 })
  const span = { inPoint: 0, outPoint: 100 }
  const layers: LayerInput[] = [
    { id: 'cam', kind: 'camera', ...span, data: { zoom: { value: 160 } }, transform: { position: { value: [80, 48, -160], keyframes: [
      { id: 'c0', frame: 0, value: [80, 48, -160], easing: 'easeInOut' }, { id: 'c1', frame: 10, value: [60, 40, -120], easing: 'easeInOut' },
    ] } } },
    { id: 'title', kind: 'text', ...span, data: { text: 'Lattice', fontSize: 22, fill: '#ffffff' }, transform: { position: { value: [10, 30, 0], keyframes: [
      { id: 't0', frame: 0, value: [10, 30, 0], easing: 'easeOut' }, { id: 't1', frame: FRAMES - 1, value: [40, 34, 0], easing: 'easeIn' },
    ] } } },
    { id: 'card', kind: 'solid', ...span, threeD: true, data: { color: '#22aa66', width: 80, height: 50 }, transform: { position: { value: [80, 60, 40] }, anchor: { value: [40, 25, 0] }, rotationY: { value: 25 } } },
    { id: 'plate', kind: 'image', ...span, data: { assetId: imageId }, transform: { position: { value: [100, 10, 0] } } },
    { id: 'ground', kind: 'solid', ...span, data: { color: '#203050', width: WIDTH, height: HEIGHT } },
  ] as LayerInput[]
  return parseDocument({ ...base, compositions: { main: { ...base.compositions.main, frameCount: 40, layers } } }).document
}

/** `renderFrame` of the same document in a page of the same server: the preview's pixels. */
async function previewFrames(page: Page, document: ProjectDocument, frames: number[], pass: 'color' | 'depth', assets: Record<string, string>): Promise<Buffer[]> {
  const out: Buffer[] = []
  for (const frame of frames) {
    const result = await page.evaluate(([doc, f, p, a]) => (window as unknown as { lattice: HeadlessApi }).lattice.renderFrame(doc, 'main', f, p, { assets: a, format: 'rgba' }), [document, frame, pass, assets] as const)
    out.push(Buffer.from(result.data, 'base64'))
  }
  return out
}

function probe(path: string): { streams: Record<string, unknown>[] } {
  return JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-of', 'json', path], { encoding: 'utf8' }))
}

/** Decodes a video's frames to raw RGBA (VP9 through libvpx so its alpha is kept). */
function decode(path: string, codec?: string): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', ...(codec ? ['-c:v', codec] : []), '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 28 })
}

function meanAbsError(a: Uint8Array, b: Uint8Array, channels = [0, 1, 2]): number {
  let sum = 0
  let count = 0
  for (let i = 0; i < a.length; i += 4) for (const c of channels) { sum += Math.abs((a[i + c] as number) - (b[i + c] as number)); count++ }
  return sum / count
}

/** ffmpeg and Chromium processes whose command line names this export's work folder or the server's bridge. */
function exportProcesses(exportId: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
  return out.split('\n').filter((line) => line.includes(`export-${exportId}`))
}

describe('exports through the built server', () => {
  let server: RunningServer
  let lattice: LatticeClient
  let browser: Browser
  let page: Page
  let work: string
  let imageId: string
  let imageUrl: string
  let projectId: string
  let document: ProjectDocument

  beforeAll(async () => {
    server = await startServer()
    lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
    work = await mkdtemp(join(tmpdir(), 'lattice-export-'))
    const png = await sharp({ create: { width: 40, height: 30, channels: 4, background: { r: 250, g: 120, b: 20, alpha: 1 } } }).png().toBuffer()
    imageUrl = `data:image/png;base64,${png.toString('base64')}`
    imageId = (await lattice.uploadAsset(png, { name: 'plate.png' })).asset.id
    document = shot(imageId)
    const project = await lattice.api.projects.create.mutate({ name: 'Export shot', width: WIDTH, height: HEIGHT, fps: 12 })
    await lattice.api.projects.save.mutate({ id: project.id, revision: project.revision, document })
    projectId = project.id
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] })
    page = await browser.newPage()
    await page.goto(`${server.url}/render`)
    await page.waitForFunction(() => (window as unknown as { lattice?: HeadlessApi }).lattice?.ready === true)
  })
  afterAll(async () => {
    await browser?.close()
    await server?.dispose()
    if (work) await rm(work, { recursive: true, force: true })
  })

  it('renders every format from one request, each matching the preview renderer', async () => {
    const progress: number[] = []
    const { export: done, paths } = await lattice.exportComposition({
      projectId,
      compositionId: 'main',
      range: { start: 2, end: 2 + FRAMES },
      name: 'shot_{pass}',
      outputs: [
        { kind: 'sequence', format: 'png' },
        { kind: 'video', format: 'h264' },
        { kind: 'video', format: 'vp9' },
        { kind: 'video', format: 'prores4444' },
        { kind: 'video', format: 'gif' },
        { kind: 'sequence', format: 'png16', pass: { type: 'depth' } },
        { kind: 'video', format: 'h264', pass: { type: 'normal' } },
        { kind: 'camera', format: 'matrices' },
        { kind: 'video', format: 'h265' },
      ],
      downloadTo: join(work, 'all'),
      onProgress: ({ frame }) => progress.push(frame),
    })
    expect(done.job.status).toBe('succeeded')
    expect(done.files.map((f) => f.output)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    expect(progress.at(-1)).toBe(FRAMES)
    const frames = Array.from({ length: FRAMES }, (_, i) => 2 + i)
    const preview = await previewFrames(page, document, frames, 'color', { [imageId]: imageUrl })

    // PNG sequence: lossless, so exactly the preview's pixels.
    const zipDir = join(work, 'png')
    execFileSync('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', paths[0]!, zipDir])
    const pngs = (await readdir(zipDir)).sort()
    expect(pngs).toEqual(done.files[0]!.entries)
    expect(pngs).toHaveLength(FRAMES)
    for (const [i, name] of pngs.entries()) {
      const { data, info } = await sharp(join(zipDir, name)).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
      expect([info.width, info.height]).toEqual([WIDTH, HEIGHT])
      expect(Buffer.compare(data, preview[i]!)).toBe(0)
    }

    // Videos: codec, pixel format, size, frame count, rate; lossy pixels within a stated tolerance.
    const expectVideo = (path: string, codec: string, pixFmt: string) => {
      const video = probe(path).streams.find((s) => s.codec_type === 'video')!
      expect(video).toMatchObject({ codec_name: codec, pix_fmt: pixFmt, width: WIDTH, height: HEIGHT, nb_read_frames: String(FRAMES) })
      return video
    }
    expect(expectVideo(paths[1]!, 'h264', 'yuv420p').r_frame_rate).toBe('12/1')
    const h264 = decode(paths[1]!)
    for (let i = 0; i < FRAMES; i++) expect(meanAbsError(h264.subarray(i * WIDTH * HEIGHT * 4, (i + 1) * WIDTH * HEIGHT * 4), preview[i]!)).toBeLessThan(4)
    expect((expectVideo(paths[2]!, 'vp9', 'yuv420p').tags as Record<string, string>).alpha_mode ?? (expectVideo(paths[2]!, 'vp9', 'yuv420p').tags as Record<string, string>).ALPHA_MODE).toBe('1')
    expect(expectVideo(paths[3]!, 'prores', 'yuva444p12le').profile).toMatch(/4444/)
    const prores = decode(paths[3]!)
    expect(meanAbsError(prores.subarray(0, WIDTH * HEIGHT * 4), preview[0]!, [0, 1, 2, 3])).toBeLessThan(2)
    expect(probe(paths[4]!).streams[0]).toMatchObject({ codec_name: 'gif', width: WIDTH, height: HEIGHT })

    // 16-bit depth: the nearest surface is brightest, empty is black, and levels use 16 bits.
    const depthNames = done.files[5]!.entries!
    expect(depthNames).toHaveLength(FRAMES)
    const depthDir = join(work, 'depth')
    execFileSync('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', paths[5]!, depthDir])
    // One range for the whole export: the camera closes in, so the card brightens frame by frame,
    // reaching the near end (white) at the nearest point of the export and never clipping.
    const depthFrames = depthNames.map((name) => {
      const png = join(depthDir, name)
      expect(probe(png).streams[0]).toMatchObject({ pix_fmt: 'gray16be', width: WIDTH, height: HEIGHT })
      const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', png, '-f', 'rawvideo', '-pix_fmt', 'gray16le', '-'])
      return new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2)
    })
    const surfaceMean = (levels: Uint16Array) => { const lit = levels.filter((v) => v > 0); return lit.reduce((a, v) => a + v, 0) / lit.length }
    for (const levels of depthFrames) {
      expect(levels[0]).toBe(0)
      // True 16-bit levels, not 8-bit ones widened (which are multiples of 257).
      expect(levels.some((v) => v > 0 && v % 257 !== 0)).toBe(true)
    }
    for (let i = 1; i < FRAMES; i++) expect(surfaceMean(depthFrames[i]!)).toBeGreaterThan(surfaceMean(depthFrames[i - 1]!))
    expect(Math.max(...depthFrames.at(-1)!)).toBeGreaterThan(64_000)
    expectVideo(paths[6]!, 'h264', 'yuv420p')
    // Normals of the turned card: one even colour across it (no stepping from depth levels),
    // leaning in x (R away from 128) since the card is turned about its vertical axis.
    const normals = decode(paths[6]!).subarray(0, WIDTH * HEIGHT * 4)
    const inside: number[] = []
    const first = depthFrames[0]!
    // 4 px in from the card's edges: the video's 4:2:0 chroma blurs colour across edges.
    for (let y = 4; y < HEIGHT - 4; y++) for (let x = 4; x < WIDTH - 4; x++) {
      const around = [first[y * WIDTH + x], first[(y - 4) * WIDTH + x], first[(y + 4) * WIDTH + x], first[y * WIDTH + x - 4], first[y * WIDTH + x + 4]]
      if (around.every((v) => (v as number) > 0)) inside.push(normals[(y * WIDTH + x) * 4] as number)
    }
    expect(inside.length).toBeGreaterThan(500)
    const sorted = [...inside].sort((a, b) => a - b)
    const percentile = (p: number) => sorted[Math.floor((sorted.length - 1) * p)] as number
    // Lossy video leaves a few stray values; nine in ten pixels are within a couple of levels.
    expect(percentile(0.95) - percentile(0.05)).toBeLessThanOrEqual(4)
    expect(Math.abs(inside.reduce((a, v) => a + v, 0) / inside.length - 128)).toBeGreaterThan(10)

    // The camera file holds the engine's camera at each exported frame, eases included.
    const camera = JSON.parse(await readFile(paths[7]!, 'utf8')) as { frames: { frame: number; position: number[] }[] }
    expect(camera.frames.map((f) => f.frame)).toEqual(frames)
    for (const entry of camera.frames) {
      const engine = cameraAt(document.compositions.main!, entry.frame)
      for (let k = 0; k < 3; k++) expect(entry.position[k]).toBeCloseTo(engine.position[k] as number, 6)
    }

    // H.264 and H.265 of one pass are both .mp4: the second is told apart by its format.
    expect(done.files[8]!.name).toBe('shot_color_h265.mp4')
    const hevc = expectVideo(paths[8]!, 'hevc', 'yuv420p')
    expect(hevc.codec_tag_string).toBe('hvc1')

    // A sequence's frames are also served one by one from its zip.
    const frame = await fetch(`${server.url}/api/assets/${done.files[0]!.assetId}/entries/${pngs[1]}`, { headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } })
    expect(frame.headers.get('content-type')).toBe('image/png')
    expect(Buffer.compare(Buffer.from(await frame.arrayBuffer()), await readFile(join(zipDir, pngs[1]!)))).toBe(0)
    const missing = await fetch(`${server.url}/api/assets/${done.files[0]!.assetId}/entries/nope.png`, { headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } })
    expect(missing.status).toBe(404)
    expect((await fetch(`${server.url}/api/assets/${done.files[0]!.assetId}/entries/${pngs[1]}`)).status).toBe(401)

    // Every output is an asset of the owner, listed with the project's exports.
    const listed = await lattice.api.export.list.query({ projectId })
    expect(listed.items.map((e) => e.id)).toContain(done.id)
    for (const file of done.files) expect((await lattice.api.assets.get.query({ id: file.assetId })).id).toBe(file.assetId)
  })

  it('refuses bad requests with what to change', async () => {
    const create = (extra: Record<string, unknown>) => lattice.api.export.create.mutate({ projectId, compositionId: 'main', outputs: [{ kind: 'video', format: 'h264' }], ...extra } as Parameters<typeof lattice.api.export.create.mutate>[0])
    await expect(create({ compositionId: 'nope' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('no composition "nope"') })
    await expect(create({ range: { start: 3, end: 3 } })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('end greater than start') })
    await expect(create({ range: { start: 0, end: 41 } })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('at most 40') })
    await expect(create({ scale: { width: 161, height: 96 } })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('even width and height') })
    await expect(create({ outputs: [] })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } })
    await expect(create({ projectId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } })
  })

  it('cancels mid-export leaving nothing behind, and the browser serves the next export', async () => {
    const assetsBefore = (await lattice.api.assets.list.query({ kind: 'video' })).items.length
    const created = await lattice.api.export.create.mutate({ projectId, compositionId: 'main', outputs: [{ kind: 'video', format: 'h264' }] })
    await new Promise<void>((resolve, reject) => {
      const sub = lattice.api.export.watch.subscribe({ id: created.id }, {
        onData: ({ data }) => {
          if (data.event.type === 'progress' && (data.event.step ?? 0) > 0) {
            sub.unsubscribe()
            lattice.api.export.cancel.mutate({ id: created.id }).then(() => resolve(), reject)
          }
        },
        onError: reject,
      })
    })
    expect(await lattice.waitForJob(created.job.id)).toBe('cancelled')
    // The run stops, kills its encoder and removes its folder.
    for (let i = 0; i < 50 && (exportProcesses(created.id).length > 0 || (await readdir(join(server.dataDir, 'tmp'))).some((n) => n.includes(created.id))); i++) await new Promise((r) => setTimeout(r, 100))
    expect(exportProcesses(created.id)).toEqual([])
    expect((await readdir(join(server.dataDir, 'tmp'))).filter((n) => n.includes(created.id))).toEqual([])
    expect((await lattice.api.assets.list.query({ kind: 'video' })).items.length).toBe(assetsBefore)

    const again = await lattice.exportComposition({ projectId, compositionId: 'main', range: { start: 0, end: 2 }, outputs: [{ kind: 'camera', format: 'cameractrl' }, { kind: 'sequence', format: 'jpeg', quality: 90 }] })
    expect(again.export.job.status).toBe('succeeded')
    await expect(lattice.exportComposition({ projectId, compositionId: 'main', document: { not: 'a document' }, outputs: [{ kind: 'video', format: 'gif' }] })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } })
  })

  it('mixes the sound of audio layers into colour videos, not into passes', async () => {
    const wav = join(work, 'tone.wav')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', wav])
    const { asset, jobId } = await lattice.uploadAsset(wav)
    if (jobId) expect(await lattice.waitForJob(jobId)).toBe('succeeded')
    const opened = await lattice.api.projects.get.query({ id: projectId })
    const main = opened.document.compositions.main!
    const withSound = { ...opened.document, compositions: { main: { ...main, layers: [...main.layers, { id: 'tone', kind: 'audio', name: 'Tone', inPoint: 0, outPoint: 40, data: { assetId: asset.id } }] } } }
    const { paths } = await lattice.exportComposition({
      projectId, compositionId: 'main', document: withSound, range: { start: 0, end: 12 },
      outputs: [{ kind: 'video', format: 'h264' }, { kind: 'video', format: 'h264', pass: { type: 'depth' } }],
      downloadTo: join(work, 'sound'),
    })
    const audio = probe(paths[0]!).streams.find((s) => s.codec_type === 'audio')
    expect(audio).toMatchObject({ codec_name: 'aac' })
    // 12 frames at 12 fps: the sound is cut to the picture's second.
    expect(Number(audio!.duration)).toBeCloseTo(1, 1)
    expect(probe(paths[1]!).streams.some((s) => s.codec_type === 'audio')).toBe(false)
  })

  it('redoes an export whose server was killed mid-render, leaving one result and no stray files', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lattice-export-kill-'))
    let victim = await startServer({ dataDir })
    try {
      const client = createLatticeClient({ url: victim.url, token: BOOTSTRAP_TOKEN })
      const png = await sharp({ create: { width: 40, height: 30, channels: 4, background: '#fa7814' } }).png().toBuffer()
      const image = (await client.uploadAsset(png, { name: 'plate.png' })).asset.id
      const project = await client.api.projects.create.mutate({ name: 'Killed', width: WIDTH, height: HEIGHT, fps: 12 })
      const long = shot(image)
      long.compositions.main!.frameCount = 400
      await client.api.projects.save.mutate({ id: project.id, revision: project.revision, document: long })
      const created = await client.api.export.create.mutate({ projectId: project.id, compositionId: 'main', outputs: [{ kind: 'video', format: 'h264' }] })
      await new Promise<void>((resolve, reject) => {
        const sub = client.api.export.watch.subscribe({ id: created.id }, {
          onData: ({ data }) => { if (data.event.type === 'progress' && (data.event.step ?? 0) > 0) { sub.unsubscribe(); resolve() } },
          onError: reject,
        })
      })
      const children = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(victim.pid)], { encoding: 'utf8' }).trim().split('\n').map((line) => line.trim().split(/\s+/))
      const browserPids = children.filter(([, comm]) => /chrom/i.test(comm ?? '')).map(([pid]) => Number(pid))
      expect(browserPids.length).toBeGreaterThan(0)
      await victim.kill()
      // Chromium's pipe to the dead server closed: it exits rather than lingering as an orphan.
      const alive = (pid: number) => { try { process.kill(pid, 0); return true } catch { return false } }
      for (let i = 0; i < 100 && browserPids.some(alive); i++) await new Promise((r) => setTimeout(r, 100))
      expect(browserPids.filter(alive)).toEqual([])
      victim = await startServer({ dataDir })
      const again = createLatticeClient({ url: victim.url, token: BOOTSTRAP_TOKEN })
      expect(await again.waitForJob(created.job.id)).toBe('succeeded')
      const done = await again.api.export.get.query({ id: created.id })
      expect(done.job.attempts).toBe(2)
      expect(done.files).toHaveLength(1)
      const video = probe(join(dataDir, 'assets', (await again.api.assets.get.query({ id: done.files[0]!.assetId })).hash.slice(0, 2), (await again.api.assets.get.query({ id: done.files[0]!.assetId })).hash)).streams[0]!
      expect(video).toMatchObject({ codec_name: 'h264', nb_read_frames: '400' })
      expect((await again.api.assets.list.query({ kind: 'video' })).items).toHaveLength(1)
      expect((await readdir(join(dataDir, 'tmp'))).filter((name) => name.startsWith('export-'))).toEqual([])
      // The killed run's encoder saw its input close and exited; nothing of it is left running.
      expect(exportProcesses(created.id)).toEqual([])
    } finally {
      await victim.dispose()
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('bundles the passes with a template workflow that reads them from ComfyUI\'s input folder', async () => {
    const { export: done, paths } = await lattice.exportComposition({
      projectId, compositionId: 'main', range: { start: 0, end: 3 }, name: 'shot_{pass}',
      outputs: [{ kind: 'sequence', format: 'png', pass: { type: 'depth' } }, { kind: 'camera', format: 'cameractrl' }],
      bundle: { templateId: 'depth-controlnet', params: { prompt: 'a lighthouse at night', seed: 7 } },
      downloadTo: join(work, 'bundle'),
    })
    const bundle = done.files.find((file) => file.output === null)!
    expect(bundle.name).toBe('shot_bundle.zip')
    const dir = join(work, 'bundle-unzipped')
    execFileSync('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', paths.at(-1)!, dir])
    const names = (await readdir(dir)).sort()
    expect(names).toEqual(['README.txt', 'shot_camera.txt', 'shot_depth_00000.png', 'shot_depth_00001.png', 'shot_depth_00002.png', 'workflow_api.json'])
    const workflow = JSON.parse(await readFile(join(dir, 'workflow_api.json'), 'utf8')) as Record<string, { class_type: string; inputs: Record<string, unknown> }>
    const loadImage = Object.values(workflow).find((node) => node.class_type === 'LoadImage')!
    expect(loadImage.inputs.image).toBe('shot_depth_00000.png')
    expect(Object.values(workflow).some((node) => node.class_type === 'CLIPTextEncode' && node.inputs.text === 'a lighthouse at night')).toBe(true)
    expect(await readFile(join(dir, 'README.txt'), 'utf8')).toContain("ComfyUI's input/ folder")
    // The template must be able to take what the export makes.
    await expect(lattice.api.export.create.mutate({ projectId, compositionId: 'main', outputs: [{ kind: 'camera', format: 'matrices' }], bundle: { templateId: 'depth-controlnet' } }))
      .rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('add an image sequence output') })
    await expect(lattice.api.export.create.mutate({ projectId, compositionId: 'main', outputs: [{ kind: 'video', format: 'h264' }], bundle: { templateId: 'no-such-template' } }))
      .rejects.toMatchObject({ data: { code: 'NOT_FOUND' } })
  })

  it('starts its browser again after it crashed, and names the package and setting when Chromium is missing', async () => {
    const chromiumPids = () => execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(server.pid)], { encoding: 'utf8' }).trim().split('\n')
      .map((line) => line.trim().split(/\s+/)).filter(([, comm]) => /chrom/i.test(comm ?? '')).map(([pid]) => Number(pid))
    const before = chromiumPids()
    expect(before.length).toBe(1)
    process.kill(before[0]!, 'SIGKILL')
    const after = await lattice.exportComposition({ projectId, compositionId: 'main', range: { start: 0, end: 2 }, outputs: [{ kind: 'video', format: 'gif' }] })
    expect(after.export.job.status).toBe('succeeded')
    expect(chromiumPids()).toHaveLength(1)
    expect(chromiumPids()[0]).not.toBe(before[0])

    // Asked to use a GPU this machine may not have: it renders all the same, and says with what.
    const gpu = await startServer({ env: { LATTICE_EXPORT_GPU: '1' } })
    try {
      const client = createLatticeClient({ url: gpu.url, token: BOOTSTRAP_TOKEN })
      const project = await client.api.projects.create.mutate({ name: 'GPU or not', width: 64, height: 48, fps: 8 })
      const { export: done } = await client.exportComposition({ projectId: project.id, compositionId: (await client.api.projects.get.query({ id: project.id })).document.mainCompositionId, range: { start: 0, end: 2 }, outputs: [{ kind: 'sequence', format: 'png' }] })
      const logs: string[] = []
      await client.waitForJob(done.job.id, ({ event }) => { if (event.type === 'log') logs.push(event.message) })
      expect(logs).toContainEqual(expect.stringMatching(/^Rendering 2 frames at 64×48 with (software rendering \(SwiftShader, no GPU\)|the GPU \(.+\))\.$/))
    } finally {
      await gpu.dispose()
    }

    const broken = await startServer({ env: { LATTICE_CHROMIUM_PATH: '/nowhere/chromium' } })
    try {
      const client = createLatticeClient({ url: broken.url, token: BOOTSTRAP_TOKEN })
      const project = await client.api.projects.create.mutate({ name: 'No browser', width: 64, height: 48, fps: 8 })
      const failed = await client.exportComposition({ projectId: project.id, compositionId: (await client.api.projects.get.query({ id: project.id })).document.mainCompositionId, range: { start: 0, end: 2 }, outputs: [{ kind: 'video', format: 'h264' }] }).catch((e: unknown) => e)
      expect(failed).toBeInstanceOf(LatticeExportError)
      const info = (failed as LatticeExportError).exportInfo
      expect(info.job).toMatchObject({ status: 'failed', errorKind: 'missing_tool', attempts: 1 })
      expect(info.job.error).toContain('chromium')
      expect(info.job.error).toContain('LATTICE_CHROMIUM_PATH')
    } finally {
      await broken.dispose()
    }
  })
})
