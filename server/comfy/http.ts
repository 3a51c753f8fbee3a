import type { z } from 'zod'
import { ComfyError, networkError, originOf } from './errors'
import {
  historySchema, objectInfoSchema, promptAcceptedSchema, promptRejectedSchema, queueRemainingSchema, queueSchema, systemStatsSchema,
  type HistoryEntry, type ObjectInfo, type PromptAccepted, type PromptRejected, type Queue, type SystemStats, type Workflow,
} from './protocol'

export interface ComfyHttpOptions {
  /** e.g. `http://gpu-box:8188`; a trailing slash or an `/api` suffix both work. */
  baseUrl: string
  /** Per request, from sending until the whole JSON body is read. */
  timeoutMs?: number
  /** Sent with every request, e.g. `{authorization: 'Bearer …'}` for a server behind an auth proxy. */
  headers?: Record<string, string>
}

export interface RequestOptions {
  method?: 'GET' | 'POST'
  json?: unknown
  body?: BodyInit
  timeoutMs?: number
  signal?: AbortSignal
  /** Return 4xx responses instead of throwing (5xx always throws: it is transient). */
  allowClientErrors?: boolean
}

export interface PromptRequest {
  prompt: Workflow
  client_id: string
  prompt_id: string
  extra_data?: Record<string, unknown>
  number?: number
  front?: boolean
}

export type SubmitResult = { ok: true; accepted: PromptAccepted } | { ok: false; rejected: PromptRejected }

/** Typed calls to one ComfyUI server. Network faults, timeouts and 5xx become transient ComfyErrors. */
export class ComfyHttp {
  readonly baseUrl: string
  readonly timeoutMs: number
  readonly headers: Record<string, string>

  constructor(options: ComfyHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/api$/, '')
    this.timeoutMs = options.timeoutMs ?? 15_000
    this.headers = options.headers ?? {}
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`
  }

  /**
   * Sends a request; the timeout covers the wait for headers, and `read` (run before the timer
   * is cleared) covers the body. Callers that stream a body pass no `read` and own the rest.
   */
  async request<T = Response>(path: string, options: RequestOptions = {}, read?: (response: Response) => Promise<T>): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs
    const url = this.url(path)
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), timeoutMs)
    const onAbort = () => controller.abort(options.signal?.reason)
    options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const response = await fetch(url, {
        method: options.method ?? 'GET',
        body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
        headers: options.json !== undefined ? { ...this.headers, 'content-type': 'application/json' } : this.headers,
        signal: controller.signal,
      })
      if (response.status >= 500) {
        const text = await response.text().catch(() => '')
        throw new ComfyError('server_error', `ComfyUI at ${originOf(url)} failed with HTTP ${response.status} on ${path.split('?')[0]}; it may be restarting or overloaded. Lattice will retry.`, { status: response.status, body: text.slice(0, 500) })
      }
      if (response.status >= 400 && !options.allowClientErrors) {
        const text = await response.text().catch(() => '')
        throw new ComfyError('protocol', `ComfyUI at ${originOf(url)} refused ${path.split('?')[0]} with HTTP ${response.status}. The server may be a different version than Lattice expects.`, { status: response.status, body: text.slice(0, 500) })
      }
      return read ? await read(response) : (response as T)
    } catch (error) {
      throw networkError(controller.signal.reason?.name === 'TimeoutError' ? controller.signal.reason : error, url, timeoutMs, options.signal)
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onAbort)
    }
  }

  async json<S extends z.ZodType>(path: string, schema: S, options: RequestOptions = {}): Promise<z.infer<S>> {
    return this.request(path, options, async (response) => {
      const text = await response.text()
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch {
        throw new ComfyError('protocol', `ComfyUI answered ${path.split('?')[0]} with something that is not JSON. Is ${this.baseUrl} really a ComfyUI server?`)
      }
      const parsed = schema.safeParse(value)
      if (!parsed.success) {
        throw new ComfyError('protocol', `ComfyUI's answer to ${path.split('?')[0]} has an unexpected shape (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}). The server may be a version Lattice does not support.`)
      }
      return parsed.data
    })
  }

  /** Empty-bodied 200s (`/queue`, `/interrupt`): the body is drained, never parsed. */
  private async post(path: string, json: unknown, signal?: AbortSignal): Promise<void> {
    await this.request(path, { method: 'POST', json, signal }, async (response) => { await response.arrayBuffer() })
  }

  /** `POST /prompt`. A 400 comes back as `{ok: false}`; anything transient throws. */
  async submitPrompt(body: PromptRequest, signal?: AbortSignal): Promise<SubmitResult> {
    return this.request('/prompt', { method: 'POST', json: body, signal, allowClientErrors: true }, async (response) => {
      const value = await response.json().catch(() => undefined)
      if (response.status === 200) {
        const accepted = promptAcceptedSchema.safeParse(value)
        if (accepted.success) return { ok: true, accepted: accepted.data }
      } else if (response.status === 400) {
        const rejected = promptRejectedSchema.safeParse(value)
        if (rejected.success) return { ok: false, rejected: rejected.data }
      }
      throw new ComfyError('protocol', `ComfyUI answered POST /prompt with HTTP ${response.status} and an unexpected body. The server may be a version Lattice does not support.`, { status: response.status })
    })
  }

  getQueue(signal?: AbortSignal): Promise<Queue> {
    return this.json('/queue', queueSchema, { signal })
  }

  /** The history entry of one prompt, or undefined while it is pending, running, unknown or lost. */
  async getHistoryEntry(promptId: string, signal?: AbortSignal): Promise<HistoryEntry | undefined> {
    const history = await this.json(`/history/${encodeURIComponent(promptId)}`, historySchema, { signal })
    return history[promptId]
  }

  async getQueueRemaining(signal?: AbortSignal): Promise<number> {
    return (await this.json('/prompt', queueRemainingSchema, { signal })).exec_info.queue_remaining
  }

  deleteFromQueue(promptIds: string[], signal?: AbortSignal): Promise<void> {
    return this.post('/queue', { delete: promptIds }, signal)
  }

  /** Interrupts `promptId` only if it is the one running; without an id, whatever runs. */
  interrupt(promptId?: string, signal?: AbortSignal): Promise<void> {
    return this.post('/interrupt', promptId === undefined ? {} : { prompt_id: promptId }, signal)
  }

  getObjectInfo(signal?: AbortSignal): Promise<ObjectInfo> {
    return this.json('/object_info', objectInfoSchema, { signal, timeoutMs: Math.max(this.timeoutMs, 60_000) })
  }

  getSystemStats(signal?: AbortSignal): Promise<SystemStats> {
    return this.json('/system_stats', systemStatsSchema, { signal })
  }
}
