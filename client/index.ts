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
import { TERMINAL_GENERATION_STATUSES, type GenerationEventEnvelope, type GenerationStatus } from '../shared/comfy/manifest'

export type { AppRouter } from '../server/trpc/routers'
export type { AssetInfo } from '../server/services/assets/asset.dto'
export type { JobEvent, JobEventEnvelope, JobStatus } from '../shared/jobs'
export type { GenerationEvent, GenerationEventEnvelope, GenerationStatus, TemplateManifestInput } from '../shared/comfy/manifest'
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
  /** Streams a job's events until it ends; resolves with its final status. */
  waitForJob(jobId: string, onEvent?: (envelope: JobEventEnvelope) => void, signal?: AbortSignal): Promise<JobStatus>
  /** Streams a ComfyUI generation's events (status, progress, previews) until it ends; resolves with its final status. */
  waitForGeneration(id: string, onEvent?: (envelope: GenerationEventEnvelope) => void, signal?: AbortSignal): Promise<GenerationStatus>
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

    waitForJob(jobId, onEvent, signal) {
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
    },

    waitForGeneration(id, onEvent, signal) {
      return new Promise<GenerationStatus>((resolve, reject) => {
        let last: GenerationStatus | null = null
        const subscription = api.comfy.generations.watch.subscribe({ id }, {
          signal,
          onData: ({ data }) => {
            onEvent?.(data)
            if (data.event.type === 'status') last = data.event.status
          },
          onError: (error) => reject(error),
          onComplete: () => {
            if (last && TERMINAL_GENERATION_STATUSES.includes(last)) resolve(last)
            else api.comfy.generations.get.query({ id }).then((generation) => resolve(generation.status), reject)
          },
        })
        signal?.addEventListener('abort', () => { subscription.unsubscribe(); reject(signal.reason) })
      })
    },
  }
}
