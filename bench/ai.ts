/**
 * In-process AI, beside floors measured in the same run on the same machine:
 * - matte: one 1024×1024 picture through `ai.matte` end to end (request, job, decode, pre-process,
 *   inference, post-process, two PNGs stored as assets) vs a bare `session.run` of the same model
 *   (the real ISNet) on the same input tensor, in this process, with the same execution provider;
 * - segmentation: further clicks on one picture (its embedding cached) through `ai.segment`, p50
 *   and p99, vs the decoder's bare `session.run` on the same prompt;
 * - memory: the server's resident memory with the depth, matte and segmentation models loaded,
 *   its peak, and after they were unloaded for being idle.
 * Depth and segmentation use stand-in graphs with the real models' tensor names (no registry has
 * their weights): their inference is near zero, so the segmentation click measures Lattice's own
 * work around the decoder, and the memory is ISNet's plus the runtime's.
 */
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import sharp from 'sharp'
import { InferenceSession } from 'onnxruntime-node'
import { createLatticeClient } from '../client'
import { prepareAiModels } from '../tests/support/ai-models'
import { samDecoderGraph, samEncoderGraph } from '../tests/support/task-graphs'
import { decodeImage, ortTensor, toTensor } from '../server/ml/tasks/image'
import { decoderInputs, encodeImage } from '../server/ml/tasks/segment'
import { matteProcessingSchema } from '../server/ml/tasks/matte'
import { modelManifestSchema } from '../shared/ai/manifest'
import isnetManifest from '../models/isnet-general.json'
import { median, percentile, round } from './stats'

export interface AiBenchResult {
  matte: { samples: number; latticeMs: number; bareMs: number; ratio: number }
  segment: { clicks: number; p50: number; p99: number; bareP50: number; bareP99: number }
  memory: { beforeMb: number; loadedMb: number; peakMb: number; afterIdleMb: number; idleSeconds: number; stillLoaded: string[] }
}

const SIZE = 1024
const MATTE_SAMPLES = 5
const CLICKS = 40
const IDLE_SECONDS = 6

const ball = (size: number) => `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><defs><radialGradient id="b" cx="0.35" cy="0.35" r="0.75"><stop offset="0" stop-color="#ffd0a0"/><stop offset="0.6" stop-color="#e06020"/><stop offset="1" stop-color="#602000"/></radialGradient></defs><rect width="100%" height="100%" fill="#2a2a2a"/><circle cx="${size / 2}" cy="${size / 2}" r="${size / 4}" fill="url(#b)"/></svg>`

function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { rss: round(kb('VmRSS') / 1024, 0), peak: round(kb('VmHWM') / 1024, 0) }
}

export async function measureAi(options: { startServer: (o: { env: Record<string, string> }) => Promise<{ url: string; pid: number; dispose(): Promise<void> }>; token: string }): Promise<AiBenchResult> {
  const root = await mkdtemp(join(tmpdir(), 'lattice-bench-ai-'))
  try {
    const models = await prepareAiModels(root, { isnet: true })
    const server = await options.startServer({ env: { ...models.env, LATTICE_AI_IDLE_MINUTES: String(IDLE_SECONDS / 60) } })
    try {
      const lattice = createLatticeClient({ url: server.url, token: options.token })
      const png = await sharp(Buffer.from(ball(SIZE))).png().toBuffer()
      const { asset } = await lattice.uploadAsset(png, { name: 'bench ball.png' })
      const before = memoryMb(server.pid)

      // Matte, end to end; the first run loads the model and is not counted.
      const latticeMs: number[] = []
      for (let i = 0; i <= MATTE_SAMPLES; i++) {
        const start = performance.now()
        await lattice.runAiTask({ task: 'matte', assetId: asset.id, modelId: 'isnet-general' })
        if (i > 0) latticeMs.push(performance.now() - start)
      }
      // The floor: the same model and input tensor, bare, while the server is idle.
      const manifest = modelManifestSchema.parse(isnetManifest)
      const processing = matteProcessingSchema.parse(manifest.processing)
      const session = await InferenceSession.create(join(models.modelsDir, 'isnet-general', manifest.sessions.model!.file), { executionProviders: ['cpu'] })
      const input = ortTensor(await toTensor(await decodeImage(png), { width: processing.size, height: processing.size, mean: processing.mean, std: processing.std, resize: processing.resize }))
      const bareMs: number[] = []
      for (let i = 0; i <= MATTE_SAMPLES; i++) {
        const start = performance.now()
        await session.run({ [processing.input]: input }, [processing.output])
        if (i > 0) bareMs.push(performance.now() - start)
      }
      await session.release()

      // Segmentation: the first click computes and caches the embedding; the others are timed.
      await lattice.api.ai.segment.mutate({ assetId: asset.id, points: [{ x: SIZE / 2, y: SIZE / 2, label: 1 }] })
      const clickMs: number[] = []
      for (let i = 0; i < CLICKS; i++) {
        const point = { x: 100 + ((i * 37) % 800), y: 100 + ((i * 53) % 800), label: 1 as const }
        const start = performance.now()
        const answer = await lattice.api.ai.segment.mutate({ assetId: asset.id, points: [point] })
        clickMs.push(performance.now() - start)
        if (!answer.embeddingCached) throw new Error('A further click recomputed the embedding.')
      }
      const encoder = await InferenceSession.create(samEncoderGraph(), { executionProviders: ['cpu'] })
      const decoder = await InferenceSession.create(samDecoderGraph({ boxes: true }), { executionProviders: ['cpu'] })
      const segmentModel = { manifest: modelManifestSchema.parse({ id: 'bench', name: 'bench', task: 'segment', licence: 'MIT', source: 'https://example.com', files: [{ path: 'x', url: null, sha256: '0'.repeat(64), size: 1 }] }), dir: root, device: 'cpu' as const, sessions: { encoder, decoder } }
      const embeddings = await encodeImage(segmentModel, await decodeImage(png))
      const bareClickMs: number[] = []
      for (let i = 0; i < CLICKS; i++) {
        const point = { x: 100 + ((i * 37) % 800), y: 100 + ((i * 53) % 800), label: 1 as const }
        const feeds = decoderInputs(embeddings, { points: [point] }, decoder.inputNames, { boxes: 'input_boxes' })
        const start = performance.now()
        await decoder.run(feeds)
        bareClickMs.push(performance.now() - start)
      }
      await encoder.release()
      await decoder.release()

      // Memory: depth loaded too, then left idle until the manager unloads all three.
      await lattice.runAiTask({ task: 'depth', assetId: asset.id })
      const loaded = memoryMb(server.pid)
      await new Promise((resolve) => setTimeout(resolve, (IDLE_SECONDS + 4) * 1000))
      const after = memoryMb(server.pid)
      const stillLoaded = (await lattice.api.ai.models.list.query()).models.filter((m) => m.state === 'loaded').map((m) => m.id)

      const lat = median(latticeMs)
      const bare = median(bareMs)
      return {
        matte: { samples: MATTE_SAMPLES, latticeMs: round(lat, 0), bareMs: round(bare, 0), ratio: round(lat / bare) },
        segment: { clicks: CLICKS, p50: round(median(clickMs), 1), p99: round(percentile(clickMs, 99), 1), bareP50: round(median(bareClickMs), 2), bareP99: round(percentile(bareClickMs, 99), 2) },
        memory: { beforeMb: before.rss, loadedMb: loaded.rss, peakMb: Math.max(loaded.peak, after.peak), afterIdleMb: after.rss, idleSeconds: IDLE_SECONDS, stillLoaded },
      }
    } finally {
      await server.dispose()
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}
