import { mkdir, rm, writeFile, open } from 'node:fs/promises'
import { join } from 'node:path'
import type { Database } from '../../db/connect'
import type { JobContext, JobDefinition } from '../../jobs/types'
import type { DataLayout } from '../../storage/paths'
import type { ModelManager } from '../../ml'
import { createEncoder } from '../../export/encode'
import { decodeFrames } from '../../media'
import type { AssetOrigin, AssetService } from '../assets/assets.service'
import { ProgressMeter } from '../exports/progress-meter'
import { checkDiskSpace } from '../exports/preflight'
import { aiTaskRequestSchema, type AiTaskOutput, type AiTaskRequest } from '../../../shared/ai/requests'
import { AppError } from '../../../shared/errors'
import { checkVideo, modelFor, sourceOf, type AiSource } from './sources'
import * as pipe from './pipelines'

export interface AiTaskJobDeps {
  db: Database
  assets: AssetService
  layout: DataLayout
  models: ModelManager
  concurrency: number
}

/**
 * `ai.task`: depth, mattes and normal maps of an image or a video asset, stored as assets of the
 * owner with what made them in their metadata (`origin`). Videos report per-frame progress; a
 * run that fails, is cancelled or handed over leaves no files behind and starts again from frame
 * one.
 */
export function aiTaskJob(deps: AiTaskJobDeps): JobDefinition<AiTaskRequest> {
  return {
    kind: 'ai.task',
    retryLimit: 1,
    retryDelaySeconds: 5,
    expireInSeconds: 6 * 3600,
    concurrency: deps.concurrency,
    run: (context) => runTask(deps, context),
  }
}

async function runTask(deps: AiTaskJobDeps, context: JobContext<AiTaskRequest>): Promise<Record<string, unknown>> {
  const request = aiTaskRequestSchema.parse(context.input)
  const source = await sourceOf(deps.assets, context.ownerId, request.assetId)
  const work = join(deps.layout.tmpDir(), `ai-${context.jobId}-${context.runId}`)
  await mkdir(work, { recursive: true })
  /** Assets this run stored (not matched to content stored before), removed again if it does not finish. */
  const made: string[] = []
  const store = async (path: string, name: string, role: AiTaskOutput['role'], origin: AssetOrigin, mime?: string): Promise<AiTaskOutput> => {
    const { asset, deduplicated } = await deps.assets.adoptMade(context.ownerId, path, name, mime ? { mime } : undefined, { origin, analyseNow: true })
    if (!deduplicated) made.push(asset.id)
    return { role, assetId: asset.id }
  }
  try {
    const outputs = source.kind === 'video'
      ? await videoTask(deps, context, request, source, work, store)
      : await imageTask(deps, context, request, source, work, store)
    await context.emit({ type: 'outputs', assetIds: outputs.map((o) => o.assetId) })
    return { task: request.task, outputs }
  } catch (error) {
    for (const id of made) await deps.db.prisma.asset.deleteMany({ where: { id } }).catch(() => {})
    throw error
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

type Store = (path: string, name: string, role: AiTaskOutput['role'], origin: AssetOrigin, mime?: string) => Promise<AiTaskOutput>

async function imageTask(deps: AiTaskJobDeps, context: JobContext<AiTaskRequest>, request: AiTaskRequest, source: AiSource, work: string, store: Store): Promise<AiTaskOutput[]> {
  const { models } = deps
  await context.progress(0.05, { stage: 'reading' })
  const pixels = await pipe.readPicture(source.path)
  const base = source.baseName
  const write = async (name: string, bytes: Uint8Array) => {
    const path = join(work, name)
    await writeFile(path, bytes)
    return path
  }

  if (request.task === 'matte') {
    const modelId = await modelFor(models, 'matte', request.modelId)
    await context.progress(0.1, { stage: 'matting' })
    const alpha = await models.use(modelId, (model) => pipe.matteOf(model, pixels), { signal: context.signal })
    await context.progress(0.85, { stage: 'saving' })
    const origin = { task: 'matte', model: modelId, sourceAssetId: source.id, white: 'subject' }
    return [
      await store(await write(`${base} matte.png`, await pipe.greyPng(alpha, pixels.width, pixels.height)), `${base} matte.png`, 'matte', origin),
      await store(await write(`${base} cutout.png`, await pipe.cutoutPng(pixels, alpha)), `${base} cutout.png`, 'cutout', origin),
    ]
  }

  if (request.task === 'normals' && request.source === 'depth') {
    await context.progress(0.3, { stage: 'normals' })
    const depth = await pipe.readDepthLevels(source.path)
    const png = await pipe.normalsPng(depth.levels, depth.width, depth.height, { flipX: request.flipX, flipY: request.flipY, invert: request.invert })
    const origin = { task: 'normals', convention: 'controlnet', sourceAssetId: source.id, from: 'depth map', flipX: request.flipX, flipY: request.flipY }
    return [await store(await write(`${base} normals.png`, png), `${base} normals.png`, 'normals', origin)]
  }

  const modelId = await modelFor(models, 'depth', request.modelId)
  await context.progress(0.1, { stage: 'depth' })
  const depth = await models.use(modelId, (model) => pipe.depthOf(model, pixels), { signal: context.signal })
  await context.progress(0.8, { stage: 'saving' })
  const range = { min: depth.min, max: depth.max }
  const levels = pipe.depthLevels16(depth.depth, range)
  if (request.task === 'normals') {
    const png = await pipe.normalsPng(levels, depth.width, depth.height, { flipX: request.flipX, flipY: request.flipY })
    const origin = { task: 'normals', convention: 'controlnet', model: modelId, sourceAssetId: source.id, from: 'estimated depth', flipX: request.flipX, flipY: request.flipY }
    return [await store(await write(`${base} normals.png`, png), `${base} normals.png`, 'normals', origin)]
  }
  const origin = { task: 'depth', model: modelId, sourceAssetId: source.id, convention: 'inverse', white: 'near', bits: 16, range, meaning: pipe.DEPTH_MEANING }
  return [
    await store(await write(`${base} depth.png`, await pipe.grey16Png(levels, depth.width, depth.height)), `${base} depth.png`, 'depth', origin),
    await store(await write(`${base} depth preview.png`, await pipe.greyPng(pipe.levels16To8(levels), depth.width, depth.height)), `${base} depth preview.png`, 'preview', { ...origin, bits: 8 }),
  ]
}

/**
 * Depth of a video is normalised over the whole clip, so the grey of a surface does not flicker
 * from frame to frame: the first pass keeps every frame's raw depth (on disk, at about the depth
 * models' own working size, so a minute of 4K stays small), the second scales them all by the clip's range and encodes them.
 */
async function videoTask(deps: AiTaskJobDeps, context: JobContext<AiTaskRequest>, request: AiTaskRequest, source: AiSource, work: string, store: Store): Promise<AiTaskOutput[]> {
  if (request.task === 'normals') throw new AppError('BAD_REQUEST', 'Normal maps are made from pictures or depth maps, not videos; make a depth video first, or pick a frame as an image.')
  const video = checkVideo(source)
  const { models } = deps
  const task = request.task
  const modelId = await modelFor(models, task, request.modelId)
  // The raw depth of every frame (at the depth models' working size) and the video must fit with room to spare.
  const keptPixels = task === 'depth' ? pipe.depthWorkSize(video.width, video.height) : { width: 0, height: 0 }
  await checkDiskSpace(deps.layout.root, video.frames * (keptPixels.width * keptPixels.height * 4 + video.width * video.height / 4))
  const encoder = createEncoder({
    width: video.width, height: video.height, fps: video.fps, pixels: 'gray', directory: work,
    baseName: `${source.baseName} ${task}`, target: { kind: 'video', format: 'h264', crf: 12 }, signal: context.signal,
  })
  try {
    const frames = () => decodeFrames(source.path, { width: video.width, height: video.height, maxFrames: video.frames, signal: context.signal })
    if (task === 'matte') {
      const meter = new ProgressMeter(video.frames, 1, (f, d) => context.progress(f * 0.98, { ...d, stage: 'matting' }))
      for await (const frame of frames()) {
        const alpha = await models.use(modelId, (model) => pipe.matteOf(model, { data: frame, width: video.width, height: video.height, channels: 3 }), { signal: context.signal })
        await encoder.write(alpha)
        await meter.tick()
      }
    } else {
      const keep = pipe.depthWorkSize(video.width, video.height)
      const raw = await open(join(work, 'depth.f32'), 'w+')
      try {
        const range = { min: Infinity, max: -Infinity }
        let count = 0
        const first = new ProgressMeter(video.frames, 1, (f, d) => context.progress(f * 0.8, { ...d, stage: 'depth' }))
        for await (const frame of frames()) {
          const depth = await models.use(modelId, (model) => pipe.depthOf(model, { data: frame, width: video.width, height: video.height, channels: 3 }), { signal: context.signal })
          range.min = Math.min(range.min, depth.min)
          range.max = Math.max(range.max, depth.max)
          const kept = pipe.resizeDepth(depth.depth, depth.width, depth.height, keep.width, keep.height)
          await raw.write(new Uint8Array(kept.buffer, kept.byteOffset, kept.byteLength), 0, kept.byteLength, count * kept.byteLength)
          count++
          await first.tick()
        }
        const second = new ProgressMeter(count, 1, (f, d) => context.progress(0.8 + f * 0.18, { ...d, stage: 'encoding' }))
        const bytes = keep.width * keep.height * 4
        const buffer = new Float32Array(keep.width * keep.height)
        for (let i = 0; i < count; i++) {
          await raw.read(new Uint8Array(buffer.buffer), 0, bytes, i * bytes)
          const full = pipe.resizeDepth(buffer, keep.width, keep.height, video.width, video.height)
          await encoder.write(pipe.levels16To8(pipe.depthLevels16(full, range)))
          await second.tick()
        }
        const done = await encoder.finish()
        const origin = { task: 'depth', model: modelId, sourceAssetId: source.id, convention: 'inverse', white: 'near', bits: 8, range, normalised: 'over the whole clip', meaning: pipe.DEPTH_MEANING }
        return [await store(done.files[0]!, `${source.baseName} depth.mp4`, 'depth', origin)]
      } finally {
        await raw.close()
      }
    }
    const done = await encoder.finish()
    return [await store(done.files[0]!, `${source.baseName} matte.mp4`, 'matte', { task: 'matte', model: modelId, sourceAssetId: source.id, white: 'subject' })]
  } catch (error) {
    await encoder.abort()
    throw error
  }
}
