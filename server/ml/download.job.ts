import { mkdir, rm, stat, statfs } from 'node:fs/promises'
import type { ModelFile, ModelManifest } from '../../shared/ai/manifest'
import { AppError } from '../../shared/errors'
import type { JobContext, JobDefinition } from '../jobs/types'
import { JobCancelled } from '../jobs/types'
import { downloadFile, partBytes, removePart } from './download'
import { installHint, modelDir, modelFilePath, totalSize } from './registry'
import { sha256File } from './verify'

export interface ModelDownloadInput { modelId: string }

/** Free bytes on the file system holding `dir`. */
export type FreeSpaceReader = (dir: string) => Promise<number>

export const freeSpaceOf: FreeSpaceReader = async (dir) => {
  const fs = await statfs(dir)
  return fs.bavail * fs.bsize
}

export interface ModelDownloadDeps {
  manifest(id: string): ModelManifest | undefined
  modelsDir: string
  freeSpace?: FreeSpaceReader
  /** After the last file is in place (the manager checks the model again). */
  onInstalled?(modelId: string): Promise<void> | void
  retryLimit?: number
  retryDelaySeconds?: number
  concurrency?: number
}

const MB = 1024 * 1024
const mb = (bytes: number) => `${Math.ceil(bytes / MB)} MB`
/** Kept free beyond the download itself, so a model never fills the disk to the last byte. */
const HEADROOM = 64 * MB
const PROGRESS_EVERY_MS = 500

/**
 * `ai.model.download`: fetches a model's files into `<modelsDir>/<id>/`, resumable across dropped
 * connections and restarts, each checked (size, sha256) before it is renamed into place.
 * Cancelling removes the partial files; a crash or a dropped connection keeps them for the retry.
 */
export function modelDownloadJob(deps: ModelDownloadDeps): JobDefinition<ModelDownloadInput> {
  return {
    kind: 'ai.model.download',
    retryLimit: deps.retryLimit ?? 5,
    retryDelaySeconds: deps.retryDelaySeconds ?? 10,
    expireInSeconds: 6 * 3600,
    concurrency: deps.concurrency ?? 2,
    run: (context) => downloadModel(deps, context),
  }
}

async function downloadModel(deps: ModelDownloadDeps, context: JobContext<ModelDownloadInput>): Promise<Record<string, unknown>> {
  const manifest = deps.manifest(context.input.modelId)
  if (!manifest) throw new AppError('NOT_FOUND', `There is no AI model "${context.input.modelId}".`)
  const dir = modelDir(deps.modelsDir, manifest.id)
  await mkdir(dir, { recursive: true })
  const todo = await filesToFetch(deps, manifest, context)
  const total = totalSize(manifest)
  const fetched = new Map<string, number>()
  let onDisk = 0
  for (const file of manifest.files) {
    const part = todo.includes(file) ? await partBytes(modelFilePath(deps.modelsDir, manifest.id, file), file.url!) : file.size
    fetched.set(file.path, part)
    onDisk += part
  }
  const needed = total - onDisk
  const free = await (deps.freeSpace ?? freeSpaceOf)(dir)
  if (free < needed + HEADROOM) {
    throw new AppError('PRECONDITION_FAILED', `Downloading "${manifest.name}" needs ${mb(needed + HEADROOM)} free in ${deps.modelsDir}; ${mb(free)} is free. Free some space or set LATTICE_MODELS_DIR to a larger disk.`, { kind: 'storage_full', neededBytes: needed + HEADROOM, freeBytes: free })
  }

  const started = Date.now()
  const startBytes = onDisk
  let done = onDisk
  let lastReport = 0
  let reporting = null as Promise<void> | null
  const report = (force = false) => {
    const now = Date.now()
    if (!force && (reporting || now - lastReport < PROGRESS_EVERY_MS)) return reporting
    lastReport = now
    const seconds = (now - started) / 1000
    const rate = seconds > 0 ? (done - startBytes) / seconds : 0
    const detail = { stage: 'downloading', step: done, max: total, rate: Math.round(rate), ...(rate > 0 ? { etaSeconds: Math.round((total - done) / rate) } : {}) }
    const sent = context.progress(total > 0 ? done / total : 0, detail).finally(() => { if (reporting === sent) reporting = null })
    reporting = sent
    return sent
  }

  try {
    await report(true)
    if (todo.length > 0) await context.log(`Downloading ${todo.map((f) => f.path).join(', ')} (${mb(needed)}${onDisk > 0 ? `, resuming after ${mb(onDisk)}` : ''}).`)
    for (const file of todo) {
      const path = modelFilePath(deps.modelsDir, manifest.id, file)
      await downloadFile(file as ModelFile & { url: string }, path, {
        signal: context.signal,
        onBytes: (bytes) => {
          done += bytes - (fetched.get(file.path) ?? 0)
          fetched.set(file.path, bytes)
          void report()?.catch(() => {})
        },
      })
    }
    await reporting?.catch(() => {})
    await report(true)
  } catch (error) {
    await reporting?.catch(() => {})
    // Cancelled: nothing is left behind. Released (the process stops): the parts stay for the next run.
    if (context.signal.aborted && context.signal.reason instanceof JobCancelled) {
      for (const file of todo) await removePart(modelFilePath(deps.modelsDir, manifest.id, file))
    }
    throw error
  }
  await deps.onInstalled?.(manifest.id)
  return { modelId: manifest.id, bytes: total, fetchedBytes: total - startBytes }
}

/** Files not yet in place with their size and checksum; a file in place that fails its checksum is removed. */
async function filesToFetch(deps: ModelDownloadDeps, manifest: ModelManifest, context: JobContext<ModelDownloadInput>): Promise<ModelFile[]> {
  const todo: ModelFile[] = []
  for (const file of manifest.files) {
    const path = modelFilePath(deps.modelsDir, manifest.id, file)
    const found = await stat(path).catch(() => null)
    if (found?.size === file.size && await sha256File(path, context.signal) === file.sha256) continue
    if (!file.url) {
      throw new AppError('PRECONDITION_FAILED', `"${manifest.name}" cannot be downloaded: ${file.path} has no download address. ${installHint(manifest, deps.modelsDir)}`, { kind: 'missing_model' })
    }
    if (found) await rm(path, { force: true })
    todo.push(file)
  }
  return todo
}
