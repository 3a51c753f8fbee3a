/**
 * The typed client for scripts: every tRPC procedure with its input and output types, plus the
 * HTTP routes JSON cannot carry (uploads, file bytes) and a job waiter.
 *
 *   const lattice = createLatticeClient({ url: 'https://lattice.example', token: process.env.LATTICE_TOKEN })
 *   const { items } = await lattice.api.projects.list.query({})
 */
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError, type TRPCClient } from '@trpc/client'
import { EventSource } from 'eventsource'
import type { AppRouter } from '../server/trpc/routers'
import type { AssetInfo } from '../server/services/assets/asset.dto'
import type { JobEventEnvelope, JobStatus } from '../shared/jobs'
import { TERMINAL_JOB_STATUSES } from '../shared/job-statuses'
import { transformer } from '../shared/transformer'
import type { GenerationStatus } from '../shared/comfy/manifest'
import type { ExportSettingsInput } from '../shared/export/options'
import type { ExportInfo } from '../server/services/exports/exports.service'
import type { AiTaskOutput, AiTaskRequestInput } from '../shared/ai/requests'

export type { AppRouter } from '../server/trpc/routers'
export type { AssetInfo } from '../server/services/assets/asset.dto'
export type { JobEvent, JobEventEnvelope, JobProgressDetail, JobStatus } from '../shared/jobs'
export type { GenerationStatus, TemplateManifestInput } from '../shared/comfy/manifest'
/** A generation streams its job's events: the one union every kind of long work uses. */
export type { JobEvent as GenerationEvent, JobEventEnvelope as GenerationEventEnvelope } from '../shared/jobs'
export type { ExportFile, ExportOutputInput, ExportPassInput, ExportSettingsInput } from '../shared/export/options'
export type { ExportInfo } from '../server/services/exports/exports.service'
export type { AiTaskOutput, AiTaskRequestInput, CaptionRequest, SegmentPromptInput } from '../shared/ai/requests'
export type { AiDeviceInfo, ModelInfo } from '../shared/ai/manifest'
export { TRPCClientError }

/** Progress of a job as the AI helpers report it: 0..1, the stage, and frames done of all for videos. */
export interface JobProgress { fraction: number; stage: string | null; step: number | null; max: number | null; etaSeconds: number | null }

export interface AiTaskOptions {
  onProgress?: (progress: JobProgress) => void
  /** Aborting cancels the job on the server. */
  signal?: AbortSignal
}

export interface AiTaskResult {
  jobId: string
  /** What the task made, by role (`depth`, `preview`, `matte`, `cutout`, `normals`), as assets. */
  outputs: (AiTaskOutput & { asset: AssetInfo })[]
}

/** A job that did not succeed; `status` is how it ended and the message is its error. */
export class LatticeJobError extends Error {
  constructor(readonly jobId: string, readonly status: JobStatus, reason: string | null) {
    super(`The job ${status}: ${reason ?? 'no reason given'}`)
    this.name = 'LatticeJobError'
  }
}

export interface ExportCompositionOptions extends ExportSettingsInput {
  projectId: string
  /** The editor's unsaved document, rendered instead of the saved project. */
  document?: unknown
  /** Each frame-progress event: frames done of all, frames per second, seconds left. */
  onProgress?: (progress: { fraction: number; frame: number; frames: number; fps: number | null; etaSeconds: number | null; stage: string | null }) => void
  /** Where to save the files (created if needed); without one nothing is downloaded. */
  downloadTo?: string
  signal?: AbortSignal
}

export interface ExportCompositionResult {
  export: ExportInfo
  /** Paths of the downloaded files, in output order (when `downloadTo` was given). */
  paths: string[]
}

/** An export that did not succeed; `export` holds its job's error. */
export class LatticeExportError extends Error {
  constructor(readonly exportInfo: ExportInfo) {
    super(`The export ${exportInfo.job.status}: ${exportInfo.job.error ?? 'no reason given'}`)
    this.name = 'LatticeExportError'
  }
}

export interface LatticeClientOptions {
  /** Where Lattice is served, including a sub-path if it has one: `https://host/lattice`. */
  url: string
  /** An API token (Settings → API tokens), sent as `Authorization: Bearer …`. */
  token?: string
  fetch?: typeof globalThis.fetch
}

export interface UploadResult {
  asset: AssetInfo
  jobId: string | null
  deduplicated: boolean
}

/** An HTTP route answered with an error; `code` is the same as tRPC's (`NOT_FOUND`, …). */
export class LatticeHttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message)
    this.name = 'LatticeHttpError'
  }
}

export interface LatticeClient {
  /** Every tRPC procedure: `api.projects.get.query({ id })`, `api.jobs.watch.subscribe(…)`. */
  api: TRPCClient<AppRouter>
  /** Uploads a file (a path on disk, or bytes) as an asset; streams from disk. */
  uploadAsset(source: string | Blob | Uint8Array, options?: { name?: string }): Promise<UploadResult>
  /** Downloads an asset's bytes, or a byte range of them. */
  downloadAsset(id: string, range?: { start: number; end?: number }): Promise<Uint8Array>
  /**
   * Streams the events of any job (asset processing, a generation, …: status, progress with its
   * detail, previews, logs, results) until it ends; resolves with its final status.
   */
  waitForJob(jobId: string, onEvent?: (envelope: JobEventEnvelope) => void, signal?: AbortSignal): Promise<JobStatus>
  /** `waitForJob` for a ComfyUI generation, by the generation's id (or the generation itself, saving a lookup). */
  waitForGeneration(generation: string | { jobId: string }, onEvent?: (envelope: JobEventEnvelope) => void, signal?: AbortSignal): Promise<GenerationStatus>
  /**
   * Renders a composition to files on the server, waits for it with progress, and downloads
   * the results; throws LatticeExportError if it failed or was cancelled (aborting `signal` cancels it).
   */
  exportComposition(options: ExportCompositionOptions): Promise<ExportCompositionResult>
  /**
   * Runs an AI task on an asset (depth, a matte, a normal map) and waits for it with progress;
   * resolves with the assets it made, throws LatticeJobError if it failed or was cancelled.
   */
  runAiTask(request: AiTaskRequestInput, options?: AiTaskOptions): Promise<AiTaskResult>
  /** Downloads a model on the server (admins), waiting with byte progress. */
  downloadModel(id: string, options?: AiTaskOptions): Promise<void>
}

export function createLatticeClient(options: LatticeClientOptions): LatticeClient {
  const base = options.url.replace(/\/+$/, '')
  const doFetch = options.fetch ?? globalThis.fetch
  const authHeaders = (): Record<string, string> => (options.token ? { authorization: `Bearer ${options.token}` } : {})
  const trpcUrl = `${base}/api/trpc`

  const api = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: trpcUrl,
          transformer,
          // Node has no EventSource; this one takes a fetch, which is how the token gets sent.
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) => doFetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...authHeaders() } }),
          }),
        }),
        false: httpBatchLink({ url: trpcUrl, transformer, headers: authHeaders, fetch: doFetch }),
      }),
    ],
  })

  async function failure(response: Response): Promise<LatticeHttpError> {
    const body = await response.json().catch(() => null) as { message?: string; data?: { code?: string } } | null
    return new LatticeHttpError(response.status, body?.data?.code ?? String(response.status), body?.message ?? response.statusText)
  }

  function waitForJob(jobId: string, onEvent?: (envelope: JobEventEnvelope) => void, signal?: AbortSignal): Promise<JobStatus> {
    return new Promise<JobStatus>((resolve, reject) => {
      let last: JobStatus | null = null
      const subscription = api.jobs.watch.subscribe({ jobId }, {
        signal,
        onData: ({ data }) => {
          onEvent?.(data)
          if (data.event.type === 'status') last = data.event.status
        },
        onError: (error) => reject(error),
        onComplete: () => {
          if (last && TERMINAL_JOB_STATUSES.includes(last)) resolve(last)
          // The stream ended without a final status (e.g. the server restarted): ask directly.
          else api.jobs.get.query({ id: jobId }).then((job) => resolve(job.status as JobStatus), reject)
        },
      })
      signal?.addEventListener('abort', () => { subscription.unsubscribe(); reject(signal.reason) })
    })
  }

  /** Waits for a job, reporting its progress; cancels it when `signal` aborts; throws unless it succeeded. */
  async function waitWithProgress(jobId: string, onProgress: AiTaskOptions['onProgress'], signal?: AbortSignal): Promise<void> {
    const cancel = () => { api.jobs.cancel.mutate({ id: jobId }).catch(() => {}) }
    signal?.addEventListener('abort', cancel, { once: true })
    try {
      const status = await waitForJob(jobId, ({ event }) => {
        if (event.type !== 'progress' || !onProgress) return
        onProgress({ fraction: event.progress, stage: event.stage ?? null, step: event.step ?? null, max: event.max ?? null, etaSeconds: event.etaSeconds ?? null })
      }, signal)
      if (status !== 'succeeded') {
        const job = await api.jobs.get.query({ id: jobId })
        throw new LatticeJobError(jobId, status, job.error)
      }
    } finally {
      signal?.removeEventListener('abort', cancel)
    }
  }

  /** Streams an asset's file to disk: a zipped sequence can be larger than memory. */
  async function saveAsset(id: string, path: string, signal?: AbortSignal): Promise<void> {
    const response = await doFetch(`${base}/api/assets/${encodeURIComponent(id)}/file`, { headers: authHeaders(), signal })
    if (!response.ok || !response.body) throw await failure(response)
    const { createWriteStream } = await import('node:fs')
    const { Readable } = await import('node:stream')
    const { pipeline } = await import('node:stream/promises')
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(path))
  }

  return {
    api,

    async uploadAsset(source, { name } = {}) {
      let body: Blob
      let fileName = name
      if (typeof source === 'string') {
        const { openAsBlob } = await import('node:fs')
        const { basename } = await import('node:path')
        body = await openAsBlob(source)
        fileName ??= basename(source)
      } else {
        body = source instanceof Blob ? source : new Blob([source as Uint8Array<ArrayBuffer>])
      }
      const query = fileName ? `?name=${encodeURIComponent(fileName)}` : ''
      const response = await doFetch(`${base}/api/assets/upload${query}`, {
        method: 'POST',
        headers: { ...authHeaders(), 'content-type': 'application/octet-stream' },
        body,
      })
      if (!response.ok) throw await failure(response)
      // A plain JSON route: revive the date the tRPC procedures would have sent as a Date.
      const result = await response.json() as UploadResult & { asset: { createdAt: string } }
      return { ...result, asset: { ...result.asset, createdAt: new Date(result.asset.createdAt) } }
    },

    async downloadAsset(id, range) {
      const headers: Record<string, string> = authHeaders()
      if (range) headers.range = `bytes=${range.start}-${range.end ?? ''}`
      const response = await doFetch(`${base}/api/assets/${encodeURIComponent(id)}/file`, { headers })
      if (!response.ok) throw await failure(response)
      return new Uint8Array(await response.arrayBuffer())
    },

    waitForJob,

    async exportComposition({ onProgress, downloadTo, signal, ...request }) {
      const created = await api.export.create.mutate(request)
      const cancel = () => { api.export.cancel.mutate({ id: created.id }).catch(() => {}) }
      signal?.addEventListener('abort', cancel, { once: true })
      try {
        let frame = 0
        await waitForJob(created.job.id, ({ event }) => {
          if (event.type !== 'progress' || !onProgress) return
          // The final progress (1) carries no frame count: every frame is done then.
          frame = event.step ?? (event.progress === 1 ? created.frames : frame)
          onProgress({ fraction: event.progress, frame, frames: event.max ?? created.frames, fps: event.rate ?? null, etaSeconds: event.etaSeconds ?? null, stage: event.stage ?? null })
        }, signal)
      } finally {
        signal?.removeEventListener('abort', cancel)
      }
      const done = await api.export.get.query({ id: created.id })
      if (done.job.status !== 'succeeded') throw new LatticeExportError(done)
      const paths: string[] = []
      if (downloadTo) {
        const { mkdir } = await import('node:fs/promises')
        const { join, basename } = await import('node:path')
        await mkdir(downloadTo, { recursive: true })
        for (const file of done.files) {
          const path = join(downloadTo, basename(file.name))
          await saveAsset(file.assetId, path, signal)
          paths.push(path)
        }
      }
      return { export: done, paths }
    },

    async runAiTask(request, { onProgress, signal } = {}) {
      const { jobId } = await api.ai.run.mutate(request)
      await waitWithProgress(jobId, onProgress, signal)
      const job = await api.jobs.get.query({ id: jobId })
      const outputs = (job.result?.outputs ?? []) as AiTaskOutput[]
      return { jobId, outputs: await Promise.all(outputs.map(async (o) => ({ ...o, asset: await api.assets.get.query({ id: o.assetId }) }))) }
    },

    async downloadModel(id, { onProgress, signal } = {}) {
      const { jobId } = await api.ai.models.download.mutate({ id })
      await waitWithProgress(jobId, onProgress, signal)
    },

    async waitForGeneration(generation, onEvent, signal) {
      const jobId = typeof generation === 'string' ? (await api.comfy.generations.get.query({ id: generation })).jobId : generation.jobId
      // A generation runs on ComfyUI, so its job is never left `retrying`: its end is a generation status.
      return await waitForJob(jobId, onEvent, signal) as GenerationStatus
    },
  }
}
