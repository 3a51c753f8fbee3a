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
import { TERMINAL_JOB_STATUSES, type JobEventEnvelope, type JobStatus } from '../shared/jobs'
import { transformer } from '../shared/transformer'
import type { GenerationStatus } from '../shared/comfy/manifest'

export type { AppRouter } from '../server/trpc/routers'
export type { AssetInfo } from '../server/services/assets/asset.dto'
export type { JobEvent, JobEventEnvelope, JobProgressDetail, JobStatus } from '../shared/jobs'
export type { GenerationStatus, TemplateManifestInput } from '../shared/comfy/manifest'
/** A generation streams its job's events: the one union every kind of long work uses. */
export type { JobEvent as GenerationEvent, JobEventEnvelope as GenerationEventEnvelope } from '../shared/jobs'
export { TRPCClientError }

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

    async waitForGeneration(generation, onEvent, signal) {
      const jobId = typeof generation === 'string' ? (await api.comfy.generations.get.query({ id: generation })).jobId : generation.jobId
      // A generation runs on ComfyUI, so its job is never left `retrying`: its end is a generation status.
      return await waitForJob(jobId, onEvent, signal) as GenerationStatus
    },
  }
}
