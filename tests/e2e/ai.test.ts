import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient, type LatticeClient } from '../../client'
import { prepareAiModels } from '../support/ai-models'
import { depthGraph } from '../support/task-graphs'
import { BOOTSTRAP_TOKEN, startServer, type RunningServer } from './server'

/**
 * The `ai` router end to end: the built server, models on disk (the real ISNet matte model and
 * stand-in graphs with the real depth and SAM tensor names), driven through the typed client.
 */

const BALL = { cx: 320, cy: 240, r: 150 }
/** A shaded ball on a plain dark background: a subject ISNet separates cleanly. */
const ballSvg = (width = 640, height = 480, ball = BALL) => `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><radialGradient id="b" cx="0.35" cy="0.35" r="0.75"><stop offset="0" stop-color="#ffd0a0"/><stop offset="0.6" stop-color="#e06020"/><stop offset="1" stop-color="#602000"/></radialGradient></defs><rect width="100%" height="100%" fill="#2a2a2a"/><circle cx="${ball.cx}" cy="${ball.cy}" r="${ball.r}" fill="url(#b)"/></svg>`

async function grey(bytes: Uint8Array): Promise<{ data: Uint8Array | Uint16Array; width: number; height: number }> {
  const meta = await sharp(bytes).metadata()
  const sixteen = meta.depth === 'ushort'
  const { data, info } = await sharp(bytes).toColourspace(sixteen ? 'grey16' : 'b-w').extractChannel(0).raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true })
  return { data: sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : new Uint8Array(data), width: info.width, height: info.height }
}

/** Grey level at the centre pixel of each frame of a video (decoded by ffmpeg). */
function centreLevels(path: string, width: number, height: number): number[] {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { maxBuffer: 256 * 1024 * 1024 })
  const frames = raw.length / (width * height)
  return Array.from({ length: frames }, (_, f) => raw[f * width * height + (height / 2) * width + width / 2]!)
}

describe('ai router through the typed client', () => {
  let server: RunningServer
  let lattice: LatticeClient
  let root: string
  let vlm: Server
  const vlmRequests: { auth?: string; body: { model: string; messages: { content: { type: string; text?: string; image_url?: { url: string } }[] }[] } }[] = []

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lattice-ai-e2e-'))
    const models = await prepareAiModels(root, { isnet: true })
    // An OpenAI-compatible caption endpoint, answering what it was asked.
    vlm = createServer((request, response) => {
      let body = ''
      request.on('data', (chunk) => { body += chunk })
      request.on('end', () => {
        vlmRequests.push({ auth: request.headers.authorization, body: JSON.parse(body) })
        response.setHeader('content-type', 'application/json')
        response.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'An orange ball on a dark grey floor.' } }] }))
      })
    })
    await new Promise<void>((done) => vlm.listen(0, '127.0.0.1', done))
    const vlmUrl = `http://127.0.0.1:${(vlm.address() as AddressInfo).port}/v1`
    server = await startServer({ env: { ...models.env, LATTICE_VLM_URL: vlmUrl, LATTICE_VLM_MODEL: 'test-vlm', LATTICE_VLM_KEY: 'vlm-secret' } })
    lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
  }, 120_000)

  afterAll(async () => {
    await server?.dispose()
    await new Promise((done) => vlm?.close(done))
    await rm(root, { recursive: true, force: true })
  })

  it('lists the shipped models and the installed ones, with the device and why', async () => {
    const { device, models } = await lattice.api.ai.models.list.query()
    expect(device.device).toBe('cpu')
    expect(device.reason).toMatch(/CUDA/)
    const byId = new Map(models.map((m) => [m.id, m]))
    expect(byId.get('depth-anything-v2-small')).toMatchObject({ task: 'depth', state: 'missing', default: true, downloadable: true })
    expect(byId.get('isnet-general')).toMatchObject({ task: 'matte', state: 'installed' })
    expect(byId.get('test-depth')).toMatchObject({ state: 'installed' })
    const health = await lattice.api.system.health.query()
    expect(health.ai).toMatchObject({ device: 'cpu' })
  })

  it('removes the background of a picture with the real ISNet model: the matte is the ball', async () => {
    const { asset } = await lattice.uploadAsset(await sharp(Buffer.from(ballSvg())).png().toBuffer(), { name: 'ball.png' })
    const stages: string[] = []
    const result = await lattice.runAiTask({ task: 'matte', assetId: asset.id, modelId: 'isnet-general' }, { onProgress: (p) => { if (p.stage) stages.push(p.stage) } })
    expect(stages).toContain('matting')
    const matte = result.outputs.find((o) => o.role === 'matte')!
    const cutout = result.outputs.find((o) => o.role === 'cutout')!
    expect(matte.asset.metadata.origin).toMatchObject({ task: 'matte', model: 'isnet-general', sourceAssetId: asset.id })
    const { data, width, height } = await grey(await lattice.downloadAsset(matte.assetId))
    expect([width, height]).toEqual([640, 480])
    let inter = 0
    let union = 0
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inside = Math.hypot(x + 0.5 - BALL.cx, y + 0.5 - BALL.cy) <= BALL.r
        const kept = data[y * width + x]! > 127
        if (inside && kept) inter++
        if (inside || kept) union++
      }
    }
    expect(inter / union).toBeGreaterThan(0.9)
    const cut = await sharp(await lattice.downloadAsset(cutout.assetId)).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    expect(cut.info.channels).toBe(4)
    expect(cut.data[(240 * 640 + 320) * 4 + 3]).toBeGreaterThan(240)
    expect(cut.data[(10 * 640 + 10) * 4 + 3]).toBeLessThan(15)
  }, 120_000)

  it('makes a 16-bit depth map and an 8-bit preview of a picture, recording model, convention and range', async () => {
    const { asset } = await lattice.uploadAsset(await sharp(Buffer.from(ballSvg(320, 240, { cx: 160, cy: 120, r: 60 }))).png().toBuffer(), { name: 'small ball.png' })
    const result = await lattice.runAiTask({ task: 'depth', assetId: asset.id })
    const depth = result.outputs.find((o) => o.role === 'depth')!
    const preview = result.outputs.find((o) => o.role === 'preview')!
    expect(depth.asset.metadata.origin).toMatchObject({ task: 'depth', model: 'test-depth', convention: 'inverse', white: 'near', bits: 16 })
    const range = (depth.asset.metadata.origin as { range: { min: number; max: number } }).range
    expect(range.max).toBeGreaterThan(range.min)
    const levels = await grey(await lattice.downloadAsset(depth.assetId))
    expect(levels.data).toBeInstanceOf(Uint16Array)
    // The stand-in's depth is brightness: the lit ball is nearer (whiter) than the dark floor.
    expect(levels.data[120 * 320 + 150]!).toBeGreaterThan(levels.data[5 * 320 + 5]! + 20_000)
    expect((await grey(await lattice.downloadAsset(preview.assetId))).data).toBeInstanceOf(Uint8Array)
    // Normals from that depth map, in ControlNet's convention: a flat floor faces the camera.
    const normals = await lattice.runAiTask({ task: 'normals', assetId: depth.assetId, source: 'depth' })
    const rgb = await sharp(await lattice.downloadAsset(normals.outputs[0]!.assetId)).raw().toBuffer({ resolveWithObject: true })
    const corner = [rgb.data[0], rgb.data[1], rgb.data[2]]
    expect(corner[2]).toBeGreaterThan(240)
    expect(Math.abs(corner[0]! - 127)).toBeLessThan(3)
  }, 60_000)

  it('normalises a video\'s depth over the whole clip, so a dimmer second half stays darker, frame for frame', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lattice-ai-clip-'))
    try {
      const bright = join(dir, 'bright.png')
      const dim = join(dir, 'dim.png')
      await sharp({ create: { width: 160, height: 96, channels: 3, background: '#f0f0f0' } }).png().toFile(bright)
      await sharp({ create: { width: 160, height: 96, channels: 3, background: '#787878' } }).png().toFile(dim)
      const clip = join(dir, 'clip.mp4')
      // 6 bright frames, then 6 dim ones; a per-frame normalisation would make both white.
      execFileSync('ffmpeg', ['-v', 'error', '-loop', '1', '-t', '0.5', '-framerate', '12', '-i', bright, '-loop', '1', '-t', '0.5', '-framerate', '12', '-i', dim,
        '-filter_complex', '[0][1]concat=n=2:v=1[v]', '-map', '[v]', '-r', '12', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-crf', '1', clip])
      const upload = await lattice.uploadAsset(clip)
      if (upload.jobId) await lattice.waitForJob(upload.jobId)
      const frames: number[] = []
      const result = await lattice.runAiTask({ task: 'depth', assetId: upload.asset.id }, { onProgress: (p) => { if (p.step !== null) frames.push(p.step) } })
      expect(Math.max(...frames)).toBe(12)
      const video = result.outputs[0]!
      expect(video.asset.kind).toBe('video')
      expect(video.asset.metadata).toMatchObject({ frameCount: 12, width: 160, height: 96, origin: { task: 'depth', normalised: 'over the whole clip' } })
      const path = join(dir, 'depth.mp4')
      await writeFile(path, await lattice.downloadAsset(video.assetId))
      const centres = centreLevels(path, 160, 96)
      expect(centres).toHaveLength(12)
      expect(centres[2]!).toBeGreaterThan(230)
      expect(centres[9]!).toBeLessThan(40)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)

  it('segments from point and box prompts, answering further clicks from the cached embedding, and saves a mask', async () => {
    const { asset } = await lattice.uploadAsset(await sharp(Buffer.from(ballSvg(320, 240, { cx: 160, cy: 120, r: 60 }))).png().toBuffer(), { name: 'seg ball.png' })
    const first = await lattice.api.ai.segment.mutate({ assetId: asset.id, points: [{ x: 160, y: 120, label: 1 }] })
    expect(first.embeddingCached).toBe(false)
    expect(first.masks).toHaveLength(3)
    expect(first.masks.map((m) => m.score)).toEqual([...first.masks.map((m) => m.score)].sort((a, b) => b - a))
    expect(first.masks[0]).toMatchObject({ width: 320, height: 240 })
    const again = await lattice.api.ai.segment.mutate({ assetId: asset.id, points: [{ x: 160, y: 120, label: 1 }] })
    expect(again.embeddingCached).toBe(true)
    // The stand-in decoder has a candidate that is the box itself: it changes when the box does.
    const boxA = await lattice.api.ai.segment.mutate({ assetId: asset.id, points: [{ x: 160, y: 120, label: 1 }], box: { x0: 10, y0: 10, x1: 100, y1: 100 } })
    const boxB = await lattice.api.ai.segment.mutate({ assetId: asset.id, points: [{ x: 160, y: 120, label: 1 }], box: { x0: 150, y0: 100, x1: 310, y1: 230 } })
    const insideOf = async (dataUrl: string, x: number, y: number) => (await grey(Buffer.from(dataUrl.split(',')[1]!, 'base64'))).data[y * 320 + x]!
    const boxMaskA = boxA.masks.find((m) => m.score > 0.85)!
    const boxMaskB = boxB.masks.find((m) => m.score > 0.85)!
    expect(await insideOf(boxMaskA.dataUrl, 50, 50)).toBe(255)
    expect(await insideOf(boxMaskB.dataUrl, 50, 50)).toBe(0)
    expect(await insideOf(boxMaskB.dataUrl, 250, 200)).toBe(255)
    const saved = await lattice.api.ai.saveMask.mutate({ prompt: { assetId: asset.id, points: [{ x: 160, y: 120, label: 1 }] }, index: 0 })
    expect(saved).toMatchObject({ kind: 'image', metadata: { width: 320, height: 240, origin: { task: 'segment', model: 'test-segment' } } })
  }, 60_000)

  it('captions a picture through the configured OpenAI-compatible endpoint', async () => {
    const { asset } = await lattice.uploadAsset(await sharp(Buffer.from(ballSvg(64, 48, { cx: 32, cy: 24, r: 12 }))).png().toBuffer(), { name: 'caption.png' })
    const answer = await lattice.api.ai.caption.mutate({ assetId: asset.id, prompt: 'What is on the floor?' })
    expect(answer).toEqual({ text: 'An orange ball on a dark grey floor.', backend: 'endpoint', model: 'test-vlm' })
    const sent = vlmRequests.at(-1)!
    expect(sent.auth).toBe('Bearer vlm-secret')
    expect(sent.body.model).toBe('test-vlm')
    const parts = sent.body.messages[0]!.content
    expect(parts.find((p) => p.type === 'text')?.text).toBe('What is on the floor?')
    const image = parts.find((p) => p.type === 'image_url')!.image_url!.url
    expect(image.startsWith('data:image/png;base64,')).toBe(true)
    expect((await sharp(Buffer.from(image.split(',')[1]!, 'base64')).metadata()).width).toBe(64)
  })

  it('answers a missing model, bad prompts, other users and sign-in with clear errors, and queues nothing', async () => {
    const { asset } = await lattice.uploadAsset(await sharp(Buffer.from(ballSvg(64, 48, { cx: 32, cy: 24, r: 12 }))).png().toBuffer(), { name: 'errors.png' })
    await expect(lattice.api.ai.run.mutate({ task: 'depth', assetId: asset.id, modelId: 'depth-anything-v2-small' }))
      .rejects.toMatchObject({ data: { code: 'PRECONDITION_FAILED' }, message: expect.stringMatching(/not installed.*Settings → Models/s) })
    await expect(lattice.api.ai.caption.mutate({ assetId: asset.id, backend: 'local' }))
      .rejects.toMatchObject({ data: { code: 'PRECONDITION_FAILED' }, message: expect.stringMatching(/Florence-2/) })
    await expect(lattice.api.ai.run.mutate({ task: 'matte', assetId: asset.id, modelId: 'test-depth' }))
      .rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/depth model/) })
    await expect(lattice.api.ai.segment.mutate({ assetId: asset.id, points: [{ x: 500, y: 5, label: 1 }] }))
      .rejects.toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/outside the 64×48 image/) })
    await expect(lattice.api.ai.segment.mutate({ assetId: asset.id, points: Array.from({ length: 40 }, () => ({ x: 1, y: 1, label: 1 as const })) }))
      .rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } })
    await expect(lattice.api.ai.run.mutate({ task: 'depth', assetId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } })
    // Another user sees neither the asset nor the models' controls.
    await lattice.api.users.create.mutate({ email: 'artist@example.com', password: 'artist-password' })
    const cookie = await signIn(server.url, 'artist@example.com', 'artist-password')
    const artist = createLatticeClient({ url: server.url, fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), cookie, origin: server.url } }) })
    await expect(artist.api.ai.run.mutate({ task: 'depth', assetId: asset.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } })
    await expect(artist.api.ai.segment.mutate({ assetId: asset.id, points: [{ x: 1, y: 1, label: 1 }] })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } })
    await expect(artist.api.ai.models.download.mutate({ id: 'depth-anything-v2-small' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } })
    expect((await artist.api.ai.models.list.query()).models.length).toBeGreaterThan(0)
    const anonymous = createLatticeClient({ url: server.url })
    await expect(anonymous.api.ai.models.list.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } })
    await expect(anonymous.api.ai.segment.mutate({ assetId: asset.id, points: [{ x: 1, y: 1, label: 1 }] })).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } })
  })

  it('cancels a video job part-way and keeps none of its files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lattice-ai-cancel-'))
    try {
      const clip = join(dir, 'long.mp4')
      execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x96:rate=12:duration=8', '-pix_fmt', 'yuv420p', clip])
      const upload = await lattice.uploadAsset(clip)
      if (upload.jobId) await lattice.waitForJob(upload.jobId)
      const before = (await lattice.api.assets.list.query({ limit: 100 })).items.length
      const { jobId } = await lattice.api.ai.run.mutate({ task: 'matte', assetId: upload.asset.id, modelId: 'isnet-general' })
      let cancelled = false
      const status = await lattice.waitForJob(jobId, ({ event }) => {
        if (event.type === 'progress' && (event.step ?? 0) >= 2 && !cancelled) {
          cancelled = true
          void lattice.api.jobs.cancel.mutate({ id: jobId })
        }
      })
      expect(status).toBe('cancelled')
      expect((await lattice.api.assets.list.query({ limit: 100 })).items.length).toBe(before)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})

describe('model downloads through the typed client', () => {
  let server: RunningServer
  let files: Server
  let root: string
  const graph = depthGraph()
  let served = 0

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lattice-ai-download-'))
    files = createServer((_request, response) => {
      served++
      response.setHeader('content-length', graph.byteLength)
      response.end(Buffer.from(graph))
    })
    await new Promise<void>((done) => files.listen(0, '127.0.0.1', done))
    const url = `http://127.0.0.1:${(files.address() as AddressInfo).port}/model.onnx`
    const manifests = join(root, 'manifests')
    await import('node:fs/promises').then((fs) => fs.mkdir(manifests, { recursive: true }))
    await writeFile(join(manifests, 'fetched-depth.json'), JSON.stringify({
      id: 'fetched-depth', name: 'Fetched depth', task: 'depth', licence: 'MIT', source: 'https://example.com/fetched-depth',
      files: [{ path: 'onnx/model.onnx', url, sha256: createHash('sha256').update(graph).digest('hex'), size: graph.byteLength }],
      sessions: { model: { file: 'onnx/model.onnx', inputs: ['pixel_values'], outputs: ['predicted_depth'] } },
    }))
    server = await startServer({ env: { LATTICE_MODELS_DIR: join(root, 'models'), LATTICE_MODEL_MANIFESTS_DIR: manifests } })
  }, 120_000)

  afterAll(async () => {
    await server?.dispose()
    await new Promise((done) => files?.close(done))
    await rm(root, { recursive: true, force: true })
  })

  it('downloads a model with progress, verifies it, uses it, and finds a damaged file corrupt', async () => {
    const lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
    const fractions: number[] = []
    await lattice.downloadModel('fetched-depth', { onProgress: (p) => fractions.push(p.fraction) })
    expect(served).toBe(1)
    expect(fractions.at(-1)).toBe(1)
    const info = (await lattice.api.ai.models.list.query()).models.find((m) => m.id === 'fetched-depth')!
    expect(info).toMatchObject({ state: 'installed', verified: true })
    const { asset } = await lattice.uploadAsset(await sharp(Buffer.from(ballSvg(64, 48, { cx: 32, cy: 24, r: 12 }))).png().toBuffer(), { name: 'fetched.png' })
    const depth = await lattice.runAiTask({ task: 'depth', assetId: asset.id, modelId: 'fetched-depth' })
    expect(depth.outputs.map((o) => o.role)).toEqual(['depth', 'preview'])
    // A file changed on disk fails Verify, and the model is refused until it is fixed.
    const path = join(root, 'models', 'fetched-depth', 'onnx', 'model.onnx')
    const bytes = await readFile(path)
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff
    await writeFile(path, bytes)
    expect(await lattice.api.ai.models.verify.mutate({ id: 'fetched-depth' })).toMatchObject({ state: 'corrupt' })
    await expect(lattice.runAiTask({ task: 'depth', assetId: asset.id, modelId: 'fetched-depth' })).rejects.toMatchObject({ data: { code: 'PRECONDITION_FAILED' }, message: expect.stringMatching(/failed verification/) })
    await lattice.api.ai.models.remove.mutate({ id: 'fetched-depth' })
    expect((await lattice.api.ai.models.list.query()).models.find((m) => m.id === 'fetched-depth')).toMatchObject({ state: 'missing' })
  }, 120_000)
})

async function signIn(url: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/trpc/auth.signIn`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) })
  expect(response.status).toBe(200)
  return response.headers.get('set-cookie')!.split(';')[0]!
}

