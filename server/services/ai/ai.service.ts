import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { JobQueue } from '../../jobs/queue'
import type { DataLayout } from '../../storage/paths'
import type { ModelManager } from '../../ml'
import { extractFrame } from '../../media'
import type { AssetInfo } from '../assets/asset.dto'
import type { AssetService } from '../assets/assets.service'
import { aiTaskRequestSchema, type AiTaskRequestInput, type CaptionRequest, type SegmentPrompt } from '../../../shared/ai/requests'
import type { AiDeviceInfo, ModelInfo } from '../../../shared/ai/manifest'
import { AppError } from '../../../shared/errors'
import { checkVideo, modelFor, sourceOf, type AiSource } from './sources'
import * as pipe from './pipelines'

/** An OpenAI-compatible vision endpoint for captions (LATTICE_VLM_URL, LATTICE_VLM_KEY, LATTICE_VLM_MODEL). */
export interface VlmEndpoint { url: string; key?: string; model: string }

export interface SegmentCandidate {
  score: number
  width: number
  height: number
  /** The mask as a grey PNG (white inside), as a data URL. */
  dataUrl: string
}

/**
 * The `ai` router's work: the model list and its downloads, long tasks queued as `ai.task` jobs,
 * and the quick ones answered in the request (a segmentation click, a caption).
 */
export class AiService {
  private readonly embeddings = pipe.createEmbeddingCache()

  constructor(
    private readonly queue: JobQueue,
    private readonly assets: AssetService,
    private readonly layout: DataLayout,
    readonly models: ModelManager,
    private readonly vlm: VlmEndpoint | null,
  ) {}

  async listModels(): Promise<{ device: AiDeviceInfo; models: ModelInfo[]; captionEndpoint: { model: string } | null }> {
    return { device: this.models.deviceInfo(), models: await this.models.list(), captionEndpoint: this.vlm ? { model: this.vlm.model } : null }
  }

  /** Starts (or joins) the model's download job. */
  downloadModel(ownerId: string, id: string): Promise<{ jobId: string; existing: boolean }> {
    return this.models.requestDownload(ownerId, id)
  }

  verifyModel(id: string): Promise<ModelInfo> {
    return this.models.verify(id)
  }

  removeModel(id: string): Promise<ModelInfo> {
    return this.models.remove(id)
  }

  /** Queues depth, a matte or a normal map of an asset; checked (owner, kind, size, model) before it is queued. */
  async start(ownerId: string, input: AiTaskRequestInput): Promise<{ jobId: string }> {
    const request = aiTaskRequestSchema.parse(input)
    const source = await sourceOf(this.assets, ownerId, request.assetId)
    if (source.kind === 'video') {
      if (request.task === 'normals') throw new AppError('BAD_REQUEST', 'Normal maps are made from pictures or depth maps, not videos; make a depth video first, or pick a frame as an image.')
      checkVideo(source)
    }
    if (!(request.task === 'normals' && request.source === 'depth')) {
      const modelId = await modelFor(this.models, request.task === 'normals' ? 'depth' : request.task, request.modelId)
      await this.models.assertUsable(modelId)
    }
    const job = await this.queue.enqueue('ai.task', { ownerId, input: request, assetId: source.id })
    return { jobId: job.id }
  }

  /**
   * Masks for point and box prompts on an image or a video frame, best first (up to 3), at most
   * 512 px on their longest side (an overlay; `saveMask` stores the chosen one at full size). The image's
   * embedding is computed on the first prompt and cached, so further clicks run the decoder alone.
   */
  async segment(ownerId: string, prompt: SegmentPrompt, signal?: AbortSignal): Promise<{ masks: SegmentCandidate[]; embeddingCached: boolean; modelId: string }> {
    const { modelId, masks, embeddingCached } = await this.segmentMasks(ownerId, prompt, signal, pipe.MASK_PREVIEW_SIDE)
    const candidates = await Promise.all(masks.map(async (m) => ({
      score: m.score, width: m.width, height: m.height,
      dataUrl: `data:image/png;base64,${Buffer.from(await pipe.greyPng(m.mask, m.width, m.height)).toString('base64')}`,
    })))
    return { masks: candidates, embeddingCached, modelId }
  }

  /** Stores one of the prompt's candidate masks (by its index, best first) as a grey PNG asset. */
  async saveMask(ownerId: string, prompt: SegmentPrompt, index: number, signal?: AbortSignal): Promise<AssetInfo> {
    const { modelId, masks, source } = await this.segmentMasks(ownerId, prompt, signal)
    const chosen = masks[index]
    if (!chosen) throw new AppError('BAD_REQUEST', `There are ${masks.length} candidate masks; pick one from 0 to ${masks.length - 1}.`)
    const dir = join(this.layout.tmpDir(), `mask-${randomUUID()}`)
    await mkdir(dir, { recursive: true })
    try {
      const name = `${source.baseName} mask.png`
      const path = join(dir, name)
      await writeFile(path, await pipe.greyPng(chosen.mask, chosen.width, chosen.height))
      const origin = { task: 'segment', model: modelId, sourceAssetId: source.id, frame: prompt.frame, points: prompt.points, box: prompt.box ?? null, score: chosen.score, white: 'inside' }
      const { asset } = await this.assets.adoptMade(ownerId, path, name, undefined, { origin })
      return asset
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  /** A caption of an image or a video frame, from the VLM endpoint or the local caption model. */
  async caption(ownerId: string, request: CaptionRequest, signal?: AbortSignal): Promise<{ text: string; backend: 'local' | 'endpoint'; model: string }> {
    const source = await sourceOf(this.assets, ownerId, request.assetId)
    const backend = request.backend ?? (this.vlm ? 'endpoint' : 'local')
    if (backend === 'endpoint') {
      if (!this.vlm) throw new AppError('PRECONDITION_FAILED', 'No caption endpoint is configured: set LATTICE_VLM_URL (an OpenAI-compatible /v1 URL), LATTICE_VLM_MODEL and, if it needs one, LATTICE_VLM_KEY; or use the local caption model.')
      const picture = await this.picture(source, request.frame)
      const text = await pipe.captionByEndpoint(this.vlm, picture, request, signal)
      return { text, backend, model: this.vlm.model }
    }
    const modelId = await modelFor(this.models, 'caption', request.modelId)
    await this.models.assertUsable(modelId)
    const picture = await this.picture(source, request.frame)
    const text = await this.models.use(modelId, (model) => pipe.captionLocally(model, picture, request), { signal })
    return { text, backend, model: modelId }
  }

  private async segmentMasks(ownerId: string, prompt: SegmentPrompt, signal?: AbortSignal, maxSide?: number) {
    const source = await sourceOf(this.assets, ownerId, prompt.assetId)
    const modelId = await modelFor(this.models, 'segment', prompt.modelId)
    await this.models.assertUsable(modelId)
    if (source.kind === 'image' && prompt.frame !== 0) throw new AppError('BAD_REQUEST', 'An image has one frame: leave `frame` out, or 0.')
    const key = `${modelId}:${source.hash}:${prompt.frame}`
    const result = await this.models.use(modelId, (model) => pipe.segmentOf(model, this.embeddings, key, () => this.picture(source, prompt.frame), prompt, { maxSide }), { signal })
    return { modelId, source, ...result }
  }

  /** The image's pixels, or one frame of the video's. */
  private async picture(source: AiSource, frame: number): Promise<pipe.Pixels> {
    if (source.kind === 'image') {
      if (frame !== 0) throw new AppError('BAD_REQUEST', 'An image has one frame: leave `frame` out, or 0.')
      return pipe.readPicture(source.path)
    }
    const video = checkVideo(source)
    if (frame >= video.frames) throw new AppError('BAD_REQUEST', `This video has frames 0 to ${video.frames - 1}.`)
    const dir = join(this.layout.tmpDir(), `frame-${randomUUID()}`)
    await mkdir(dir, { recursive: true })
    try {
      const png = join(dir, 'frame.png')
      // Half a frame in, so rounding in the container's timestamps cannot land on the frame before.
      await extractFrame(source.path, (frame + 0.5) / video.fps, png)
      return await pipe.readPicture(png)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}
