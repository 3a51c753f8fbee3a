import { parse } from 'node:path'
import type { ModelManager } from '../../ml'
import type { AssetService } from '../assets/assets.service'
import { AI_LIMITS } from '../../../shared/ai/requests'
import type { AiTask } from '../../../shared/ai/manifest'
import { AppError } from '../../../shared/errors'

/** An owned, ready image or video asset an AI task reads, with the facts its limits are checked on. */
export interface AiSource {
  id: string
  kind: 'image' | 'video'
  hash: string
  path: string
  /** The asset's name without its extension, for naming what is made from it. */
  baseName: string
  metadata: Record<string, unknown>
}

/** Another user's asset is NOT_FOUND, like one that does not exist. */
export async function sourceOf(assets: AssetService, ownerId: string, assetId: string): Promise<AiSource> {
  const asset = await assets.get(ownerId, assetId)
  if (asset.status === 'processing') throw new AppError('CONFLICT', `"${asset.name}" is still being processed; try again when it is ready.`)
  if (asset.status === 'failed') throw new AppError('BAD_REQUEST', `"${asset.name}" could not be read when it was uploaded (${asset.error ?? 'unknown reason'}); upload it again.`)
  if (asset.kind !== 'image' && asset.kind !== 'video') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `"${asset.name}" is ${asset.kind === 'audio' ? 'audio' : 'not a picture'}; AI tasks read images and videos.`)
  }
  const meta = asset.metadata as { width?: number; height?: number }
  if (asset.kind === 'image' && (meta.width ?? 0) * (meta.height ?? 0) > AI_LIMITS.maxImagePixels) {
    throw new AppError('PAYLOAD_TOO_LARGE', `"${asset.name}" is ${meta.width}×${meta.height}; AI tasks take pictures up to ${AI_LIMITS.maxImagePixels / 1e6} megapixels. Scale it down first.`)
  }
  const file = await assets.file(ownerId, assetId)
  return { id: asset.id, kind: asset.kind, hash: asset.hash, path: file.path, baseName: parse(asset.name).name || 'asset', metadata: asset.metadata }
}

/** A video's size, rate and length, within the limits of a per-frame job. */
export function checkVideo(source: AiSource): { width: number; height: number; fps: number; frames: number } {
  const meta = source.metadata as { width?: number; height?: number; fps?: number; frameCount?: number }
  const { width, height, fps, frameCount } = meta
  if (!width || !height || !fps || !frameCount) throw new AppError('BAD_REQUEST', 'This video has no known size, frame rate or length; upload it again so it is probed.')
  if (width * height > AI_LIMITS.maxVideoFramePixels) throw new AppError('PAYLOAD_TOO_LARGE', `This video is ${width}×${height}; AI tasks take videos up to 3840×2160. Scale it down first.`)
  if (frameCount > AI_LIMITS.maxVideoFrames) throw new AppError('PAYLOAD_TOO_LARGE', `This video has ${frameCount} frames; AI tasks take up to ${AI_LIMITS.maxVideoFrames} at a time. Trim it first.`)
  return { width: width % 2 === 0 ? width : width - 1, height: height % 2 === 0 ? height : height - 1, fps, frames: frameCount }
}

/** The model to run: the one asked for (it must be for `task`), else the task's default. */
export async function modelFor(models: ModelManager, task: AiTask, requested: string | undefined): Promise<string> {
  if (requested) {
    const info = (await models.list()).find((m) => m.id === requested)
    if (!info) throw new AppError('NOT_FOUND', `There is no model "${requested}"; ai.models.list shows the models this server knows.`)
    if (info.task !== task) throw new AppError('BAD_REQUEST', `"${requested}" is a ${info.task} model; pick a ${task} model.`)
    return requested
  }
  // The default when it is usable, else another usable model of the task, else the default (whose
  // error then says how to install it).
  const candidates = (await models.list()).filter((m) => m.task === task)
  const usable = (m: (typeof candidates)[number]) => m.state === 'installed' || m.state === 'loaded'
  const chosen = candidates.find((m) => m.default && usable(m)) ?? candidates.find(usable) ?? candidates.find((m) => m.default) ?? candidates[0]
  if (!chosen) throw new AppError('PRECONDITION_FAILED', `This server knows no ${task} model; add its manifest to models/ and install it.`)
  return chosen.id
}
