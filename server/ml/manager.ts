import { rm } from 'node:fs/promises'
import * as ort from 'onnxruntime-node'
import type { AiDeviceInfo, ModelInfo, ModelManifest } from '../../shared/ai/manifest'
import { AppError } from '../../shared/errors'
import type { Database } from '../db/connect'
import type { SqlExecutor } from '../db/sql'
import type { JobQueue } from '../jobs/queue'
import { DeviceSelector, type PreferredDevice } from './device'
import { modelDownloadJob, type FreeSpaceReader } from './download.job'
import { installHint, modelDir, modelFilePath, parseManifests, readManifestFiles, totalSize, type ManifestSource } from './registry'
import { ModelPool, type OpenedModel } from './sessions'
import type { LoadedModel, ModelRunner, NativeLoader } from './types'
import { checkSizes, verifyFiles, type FileCheck } from './verify'

export interface ModelManagerOptions {
  /** A folder of `*.json` manifests (the repo's `models/` in development and tests). */
  manifestsDir?: string
  /** Manifests already read (the ones bundled into the server build). */
  manifests?: ManifestSource[]
  /** LATTICE_MODEL_MANIFESTS_DIR: an admin's own manifests, beside the shipped ones. */
  extraManifestsDir?: string
  /** LATTICE_MODELS_DIR: weights live in `<modelsDir>/<id>/<file.path>`. */
  modelsDir: string
  /** LATTICE_AI_DEVICE. */
  device: PreferredDevice
  /** LATTICE_AI_MEMORY_MB in bytes: what all loaded models may hold together. */
  memoryBudgetBytes: number
  /** A model nobody used for this long is unloaded. */
  idleMs: number
  /** Downloads run as `ai.model.download` jobs on it (registered here, so before it starts). */
  queue?: JobQueue
  db?: Database
  nativeLoaders?: { transformers?: NativeLoader }
  downloads?: { freeSpace?: FreeSpaceReader; retryLimit?: number; retryDelaySeconds?: number; concurrency?: number }
  /** LATTICE_AI_THREADS: CPU threads one inference may use; unset, onnxruntime takes every core. */
  threads?: number
  /** Where onnxruntime-node's CUDA provider would be (tests point it elsewhere). */
  cudaLibrary?: string
  log?: (message: string) => void
}

/** A verdict of the Verify button, kept while the files stay as they were. */
interface Verdict { fingerprint: string; state: FileCheck['state']; problem: string | null }

const ACTIVE_DOWNLOADS = `SELECT id, input->>'modelId' AS "modelId", progress FROM "Job"
  WHERE kind = 'ai.model.download' AND status NOT IN ('succeeded', 'failed', 'cancelled')`

/** Marks a download found to be running already; rolls back the one being enqueued. */
class DownloadRunning extends Error {
  constructor(readonly jobId: string) { super('A download of this model runs already.') }
}

/**
 * The AI models of this server process: which exist (manifests), which are installed (files with
 * their sizes; sha256 on Verify), downloads as jobs, and the models in memory (see ModelPool).
 */
export class ModelManager implements ModelRunner {
  private readonly manifests = new Map<string, ModelManifest>()
  private readonly verdicts = new Map<string, Verdict>()
  private readonly device: DeviceSelector
  private readonly pool: ModelPool
  private readonly log: (message: string) => void

  constructor(private readonly options: ModelManagerOptions) {
    this.log = options.log ?? ((message) => console.info(message))
    this.device = new DeviceSelector(options.device, this.log, options.cudaLibrary)
    this.pool = new ModelPool({
      memoryBudgetBytes: options.memoryBudgetBytes,
      idleMs: options.idleMs,
      estimate: totalSize,
      open: (manifest) => this.open(manifest),
      log: this.log,
    })
    options.queue?.register([modelDownloadJob({
      manifest: (id) => this.manifests.get(id),
      modelsDir: options.modelsDir,
      // Every file was just checked against its sha256: the model counts as verified.
      onInstalled: async (id) => {
        const manifest = this.manifests.get(id)
        if (!manifest) return
        const sizes = await checkSizes(manifest, options.modelsDir)
        this.verdicts.set(id, { fingerprint: sizes.fingerprint, state: sizes.state, problem: sizes.problem })
      },
      ...options.downloads,
    })])
  }

  get modelsDir(): string { return this.options.modelsDir }

  /** Reads the manifests (a bad one throws, naming its file) and checks every model's files by size. */
  async start(): Promise<void> {
    const sources = [...(this.options.manifests ?? [])]
    for (const dir of [this.options.manifestsDir, this.options.extraManifestsDir]) if (dir) sources.push(...await readManifestFiles(dir))
    for (const manifest of parseManifests(sources)) {
      this.manifests.set(manifest.id, manifest)
      this.pool.add(manifest)
    }
    const states = await Promise.all([...this.manifests.values()].map(async (m) => (await checkSizes(m, this.options.modelsDir)).state))
    const installed = states.filter((s) => s === 'installed').length
    this.log(`[ai] ${this.manifests.size} models known, ${installed} installed in ${this.options.modelsDir}; ${this.device.info().reason}`)
  }

  deviceInfo(): AiDeviceInfo {
    return this.device.info()
  }

  manifest(id: string): ModelManifest {
    const manifest = this.manifests.get(id)
    if (!manifest) throw new AppError('NOT_FOUND', `There is no AI model "${id}".`)
    return manifest
  }

  /** Every known model, in manifest order. */
  async list(): Promise<ModelInfo[]> {
    const downloads = await this.activeDownloads()
    return Promise.all([...this.manifests.values()].map((m) => this.describe(m, downloads)))
  }

  async info(id: string): Promise<ModelInfo> {
    return this.describe(this.manifest(id), await this.activeDownloads())
  }

  /** The Verify button: the sha256 of every file; `verified` while the files stay unchanged. */
  async verify(id: string, signal?: AbortSignal): Promise<ModelInfo> {
    const manifest = this.manifest(id)
    const check = await verifyFiles(manifest, this.options.modelsDir, signal)
    this.verdicts.set(id, { fingerprint: check.fingerprint, state: check.state, problem: check.problem })
    if (check.state === 'corrupt') {
      this.log(`[ai] ${id} failed verification: ${check.problem}`)
      // What is in memory came from files that no longer check out: the next use reloads (and is refused).
      await this.pool.unload(id)
    }
    return this.info(id)
  }

  use<T>(modelId: string, work: (model: LoadedModel) => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    if (!this.manifests.has(modelId)) return Promise.reject(new AppError('NOT_FOUND', `There is no AI model "${modelId}".`))
    return this.pool.use(modelId, work, options.signal)
  }

  /**
   * Starts downloading a model as an `ai.model.download` job, or returns the job already
   * downloading it: concurrent requests (from any instance) download once.
   */
  async requestDownload(ownerId: string, modelId: string): Promise<{ jobId: string; existing: boolean }> {
    const manifest = this.manifest(modelId)
    const { queue, db } = this.options
    if (!queue || !db) throw new AppError('SERVICE_UNAVAILABLE', 'Downloads need the job queue, which this process does not run.')
    if (manifest.files.some((f) => !f.url)) {
      throw new AppError('PRECONDITION_FAILED', `"${manifest.name}" cannot be downloaded by Lattice. ${installHint(manifest, this.options.modelsDir)}`, { kind: 'missing_model', modelId })
    }
    const running = await this.runningDownload(db.sql, modelId) ?? await this.installedBy(db.sql, manifest)
    if (running) return { jobId: running, existing: true }
    try {
      const job = await queue.enqueue('ai.model.download', {
        ownerId,
        input: { modelId },
        // One transaction with the job's row: the lock makes a concurrent request wait until this
        // one commits, after which it sees this job and rolls its own back.
        prepare: async (jobId, sql) => {
          await sql.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`ai.model.download:${modelId}`])
          const other = await this.runningDownload(sql, modelId, jobId) ?? await this.installedBy(sql, manifest, jobId)
          if (other) throw new DownloadRunning(other)
        },
      })
      this.log(`[ai] downloading ${modelId} (job ${job.id})`)
      return { jobId: job.id, existing: false }
    } catch (error) {
      if (error instanceof DownloadRunning) return { jobId: error.jobId, existing: true }
      throw error
    }
  }

  /** Unloads the model (after its current request) and deletes its folder. */
  async remove(id: string): Promise<ModelInfo> {
    this.manifest(id)
    const downloads = await this.activeDownloads()
    if (downloads.has(id)) throw new AppError('CONFLICT', 'This model is downloading; cancel the download first.')
    await this.pool.unload(id)
    await rm(modelDir(this.options.modelsDir, id), { recursive: true, force: true })
    this.verdicts.delete(id)
    this.log(`[ai] removed ${id}`)
    return this.info(id)
  }

  /** Waits for running requests, turns queued ones away, releases every model. */
  async close(): Promise<void> {
    await this.pool.close()
  }

  private async describe(manifest: ModelManifest, downloads: Map<string, { id: string; progress: number }>): Promise<ModelInfo> {
    const check = await this.check(manifest)
    const loaded = this.pool.state(manifest.id)
    const download = downloads.get(manifest.id)
    const lastUsedAt = this.pool.lastUsedAt(manifest.id)
    const state = loaded ? 'loaded' : download ? 'downloading' : check.state
    return {
      id: manifest.id,
      name: manifest.name,
      task: manifest.task,
      description: manifest.description,
      default: manifest.default,
      licence: manifest.licence,
      source: manifest.source,
      sizeBytes: totalSize(manifest),
      downloadable: manifest.files.every((f) => f.url),
      install: manifest.install ?? null,
      state,
      verified: check.verified,
      problem: check.problem,
      downloadJobId: download?.id ?? null,
      progress: download ? download.progress : null,
      device: loaded?.device ?? null,
      memoryBytes: loaded?.memoryBytes ?? null,
      lastUsedAt: lastUsedAt ? new Date(lastUsedAt).toISOString() : null,
    }
  }

  /** Sizes now, overlaid with the Verify verdict while the files are as they were then. */
  private async check(manifest: ModelManifest): Promise<FileCheck & { verified: boolean }> {
    const sizes = await checkSizes(manifest, this.options.modelsDir)
    const verdict = this.verdicts.get(manifest.id)
    if (verdict && verdict.fingerprint === sizes.fingerprint) {
      return { ...sizes, state: verdict.state, problem: verdict.problem, verified: verdict.state === 'installed' }
    }
    return { ...sizes, verified: false }
  }

  /**
   * Throws the error `use` would (not installed, failed verification) without loading anything:
   * lets a request be refused before it is queued as a job.
   */
  async assertUsable(id: string): Promise<void> {
    await this.refuseUnusable(this.manifest(id))
  }

  private async refuseUnusable(manifest: ModelManifest): Promise<void> {
    const check = await this.check(manifest)
    if (check.state === 'missing') {
      throw new AppError('PRECONDITION_FAILED', `The AI model "${manifest.name}" (${manifest.id}) is not installed. ${installHint(manifest, this.options.modelsDir)}`, { kind: 'missing_model', modelId: manifest.id })
    }
    if (check.state === 'corrupt') {
      throw new AppError('PRECONDITION_FAILED', `The AI model "${manifest.name}" (${manifest.id}) failed verification: ${check.problem} Download it again in Settings → Models, or replace its files in ${modelDir(this.options.modelsDir, manifest.id)}/.`, { kind: 'corrupt_model', modelId: manifest.id })
    }
  }

  /** Called by the pool under the model's lock: refuses a model that is not usable, then opens it. */
  private async open(manifest: ModelManifest): Promise<OpenedModel> {
    await this.refuseUnusable(manifest)
    const dir = modelDir(this.options.modelsDir, manifest.id)
    if (manifest.runtime === 'transformers') {
      const loader = this.options.nativeLoaders?.transformers
      if (!loader) throw new AppError('SERVICE_UNAVAILABLE', `The AI model "${manifest.name}" needs the transformers runtime, which this server was started without.`)
      const native = await loader.load(manifest, dir, this.device.current())
      return { model: { manifest, dir, device: this.device.current(), sessions: {}, native: native.native }, dispose: native.dispose }
    }
    return this.openSessions(manifest, dir)
  }

  private async openSessions(manifest: ModelManifest, dir: string): Promise<OpenedModel> {
    const sessions: Record<string, ort.InferenceSession> = {}
    const releaseAll = () => Promise.allSettled(Object.values(sessions).map((s) => s.release())).then(() => {})
    let device = this.device.current()
    try {
      for (const [role, spec] of Object.entries(manifest.sessions)) {
        const created = await this.device.create(modelFilePath(this.options.modelsDir, manifest.id, spec.file), (path, providers) => ort.InferenceSession.create(path, { executionProviders: providers, ...(this.options.threads ? { intraOpNumThreads: this.options.threads } : {}) }))
        sessions[role] = created.session
        device = created.device
        const missingIn = spec.inputs.filter((n) => !created.session.inputNames.includes(n))
        const missingOut = spec.outputs.filter((n) => !created.session.outputNames.includes(n))
        if (missingIn.length > 0 || missingOut.length > 0) {
          const lacks = [missingIn.length ? `inputs ${missingIn.join(', ')}` : '', missingOut.length ? `outputs ${missingOut.join(', ')}` : ''].filter(Boolean).join(' and ')
          throw new AppError('PRECONDITION_FAILED', `The AI model "${manifest.name}" (${manifest.id}): ${spec.file} lacks the ${lacks} its manifest names; the file has inputs ${created.session.inputNames.join(', ')} and outputs ${created.session.outputNames.join(', ')}. It is a different export of the model: replace the file or correct models/${manifest.id}.json.`, { kind: 'model_mismatch', modelId: manifest.id })
        }
      }
    } catch (error) {
      await releaseAll()
      throw error
    }
    return { model: { manifest, dir, device, sessions }, dispose: releaseAll }
  }

  private async activeDownloads(): Promise<Map<string, { id: string; progress: number }>> {
    const found = new Map<string, { id: string; progress: number }>()
    if (!this.options.db) return found
    const { rows } = await this.options.db.sql.query<{ id: string; modelId: string; progress: number }>(ACTIVE_DOWNLOADS)
    for (const row of rows) if (!found.has(row.modelId)) found.set(row.modelId, { id: row.id, progress: Number(row.progress) })
    return found
  }

  /**
   * The download that installed the model, while its files are still in place: a request that
   * arrives just after a download finished (a small model takes milliseconds) joins it instead of
   * fetching the model again.
   */
  private async installedBy(sql: SqlExecutor, manifest: ModelManifest, except?: string): Promise<string | null> {
    if ((await checkSizes(manifest, this.options.modelsDir)).state !== 'installed') return null
    const { rows } = await sql.query<{ id: string }>(`SELECT id FROM "Job" WHERE kind = 'ai.model.download' AND status = 'succeeded' AND input->>'modelId' = $1 AND id <> $2 ORDER BY "finishedAt" DESC NULLS LAST LIMIT 1`, [manifest.id, except ?? ''])
    return rows[0]?.id ?? null
  }

  private async runningDownload(sql: SqlExecutor, modelId: string, except?: string): Promise<string | null> {
    const { rows } = await sql.query<{ id: string }>(`${ACTIVE_DOWNLOADS} AND input->>'modelId' = $1 AND id <> $2 ORDER BY "createdAt" LIMIT 1`, [modelId, except ?? ''])
    return rows[0]?.id ?? null
  }
}
