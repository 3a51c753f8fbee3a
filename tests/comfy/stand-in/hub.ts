import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'

/**
 * ComfyUI's socket registry (server.py:188-246): one entry per clientId; a newer socket replaces
 * the entry without closing the old one, and a close of *either* deletes the entry.
 */
export class SocketHub {
  private readonly wss = new WebSocketServer({ noServer: true })
  readonly sockets = new Map<string, WebSocket>()
  private readonly metadata = new Set<WebSocket>()
  private readonly all = new Set<WebSocket>()
  /** Upgrade requests seen, refused ones included. */
  attempts = 0
  refusing = false

  constructor(private readonly greet: (sid: string, ws: WebSocket) => void) {}

  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.attempts++
    if (this.refusing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
      return
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const url = new URL(request.url ?? '/', 'http://stand-in')
      const sid = url.searchParams.get('clientId') || randomUUID().replace(/-/g, '')
      this.sockets.set(sid, ws)
      this.all.add(ws)
      let first = true
      ws.on('message', (data, isBinary) => {
        if (isBinary || !first) return
        first = false
        try {
          const message = JSON.parse(data.toString()) as { type?: string; data?: { supports_preview_metadata?: boolean } }
          if (message.type !== 'feature_flags') return
          if (message.data?.supports_preview_metadata === true) this.metadata.add(ws)
          ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true, max_upload_size: 104857600.0 } }))
        } catch { /* ignored, as ComfyUI does */ }
      })
      ws.on('close', () => {
        this.sockets.delete(sid)
        this.metadata.delete(ws)
        this.all.delete(ws)
      })
      this.greet(sid, ws)
    })
  }

  wantsMetadata(ws: WebSocket): boolean {
    return this.metadata.has(ws)
  }

  /** To `sid` only (dropped if it is not connected), or to everyone when `sid` is null. */
  send(type: string, data: unknown, sid: string | null): void {
    const text = JSON.stringify({ type, data })
    for (const ws of this.targets(sid)) ws.send(text)
  }

  sendBinary(frame: (ws: WebSocket) => Buffer | undefined, sid: string | null): void {
    for (const ws of this.targets(sid)) {
      const bytes = frame(ws)
      if (bytes) ws.send(bytes, { binary: true })
    }
  }

  private targets(sid: string | null): WebSocket[] {
    if (sid === null) return [...this.sockets.values()].filter((ws) => ws.readyState === ws.OPEN)
    const ws = this.sockets.get(sid)
    return ws && ws.readyState === ws.OPEN ? [ws] : []
  }

  dropAll(): void {
    for (const ws of this.all) ws.terminate()
  }

  close(): void {
    this.dropAll()
    this.wss.close()
  }
}
