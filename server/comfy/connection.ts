import { randomUUID } from 'node:crypto'
import type { BackoffOptions } from './backoff'
import { ComfyHttp } from './http'
import { ObjectInfoCache } from './object-info'
import { ComfySocket } from './socket'

export interface ComfyConnectionOptions {
  baseUrl: string
  /** Our session id on that server; one per Lattice process. */
  clientId?: string
  httpTimeoutMs?: number
  socketBackoff?: BackoffOptions
  objectInfoTtlMs?: number
  /** Sent with every HTTP request and the socket upgrade. */
  headers?: Record<string, string>
}

/** Everything Lattice holds for one ComfyUI server: typed HTTP, the one socket, cached node info. */
export interface ComfyConnection {
  readonly http: ComfyHttp
  readonly socket: ComfySocket
  readonly objectInfo: ObjectInfoCache
  close(): Promise<void>
}

export function openComfyConnection(options: ComfyConnectionOptions): ComfyConnection {
  const http = new ComfyHttp({ baseUrl: options.baseUrl, timeoutMs: options.httpTimeoutMs, headers: options.headers })
  const socket = new ComfySocket({ baseUrl: http.baseUrl, clientId: options.clientId ?? `lattice-${randomUUID()}`, backoff: options.socketBackoff, headers: options.headers })
  socket.start()
  return {
    http,
    socket,
    objectInfo: new ObjectInfoCache(http, options.objectInfoTtlMs),
    close: () => socket.close(),
  }
}
