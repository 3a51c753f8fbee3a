import { EventEmitter } from 'node:events'
import WebSocket from 'ws'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff'
import { decodeBinaryFrame } from './previews'
import { comfyMessageSchema, type ComfyMessage } from './protocol'

export interface Preview {
  /** From the frame's metadata (negotiated type 4), else the prompt of the last progress seen. */
  promptId?: string
  nodeId?: string
  mime: string
  image: Buffer
}

export interface ComfySocketEvents {
  message: [ComfyMessage]
  preview: [Preview]
  /** After the server's first `status` frame: events for our clientId flow from here on. */
  open: [{ sid: string; reconnected: boolean }]
  close: [{ code: number; reconnectInMs: number | null }]
}

export interface ComfySocketOptions {
  baseUrl: string
  clientId: string
  backoff?: BackoffOptions
  /** Ask for type-4 previews, which name their prompt and node. */
  previewMetadata?: boolean
  handshakeTimeoutMs?: number
  /** Sent with the upgrade request (an auth proxy in front of ComfyUI). */
  headers?: Record<string, string>
  random?: () => number
}

/**
 * The one WebSocket to a ComfyUI server under our clientId. It reconnects with back-off and
 * jitter for as long as it is open, always after the old socket has fully closed: ComfyUI keeps
 * one socket per clientId and a late close of the old one would silence the new one.
 */
export class ComfySocket extends EventEmitter<ComfySocketEvents> {
  private ws?: WebSocket
  private timer?: NodeJS.Timeout
  private stopped = true
  private attempt = 0
  private opened = 0
  private live = false
  private lastPromptId?: string
  private readonly url: string

  constructor(private readonly options: ComfySocketOptions) {
    super()
    this.setMaxListeners(0)
    const base = new URL(options.baseUrl.replace(/\/+$/, '').replace(/\/api$/, ''))
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:'
    this.url = `${base.origin}${base.pathname.replace(/\/$/, '')}/ws?clientId=${encodeURIComponent(options.clientId)}`
  }

  get clientId(): string {
    return this.options.clientId
  }

  /** True once the server greeted this connection and until it drops. */
  get connected(): boolean {
    return this.live
  }

  /** How many times a connection was established (1 after the first, 2 after one reconnect, …). */
  get connections(): number {
    return this.opened
  }

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.connect()
  }

  /** Resolves true once connected, false if that takes longer than `timeoutMs`. */
  ready(timeoutMs = 5000): Promise<boolean> {
    this.start()
    if (this.live) return Promise.resolve(true)
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer)
        this.off('open', onOpen)
        resolve(value)
      }
      const onOpen = () => done(true)
      const timer = setTimeout(() => done(false), timeoutMs)
      this.on('open', onOpen)
    })
  }

  /** Drops the current connection (if any) and reconnects at once, e.g. when events seem to stall. */
  reconnectNow(): void {
    if (this.stopped) return
    this.attempt = 0
    if (this.ws) this.ws.terminate()
    else {
      clearTimeout(this.timer)
      this.connect()
    }
  }

  async close(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    const ws = this.ws
    if (!ws || ws.readyState === WebSocket.CLOSED) return
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve())
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate()
      else ws.close(1000)
    })
  }

  private connect(): void {
    const ws = new WebSocket(this.url, { handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000, headers: this.options.headers })
    this.ws = ws
    let greeted = false
    ws.on('open', () => {
      if (this.options.previewMetadata !== false) {
        ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }))
      }
    })
    ws.on('message', (data, isBinary) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)
      if (isBinary) return this.onBinary(buffer)
      const message = parseMessage(buffer.toString('utf8'))
      if (!message) return
      if (!greeted && message.type === 'status') {
        greeted = true
        this.live = true
        this.opened++
        this.attempt = 0
        this.emit('open', { sid: message.data.sid ?? this.options.clientId, reconnected: this.opened > 1 })
      }
      if ((message.type === 'executing' || message.type === 'progress') && message.data.prompt_id) this.lastPromptId = message.data.prompt_id
      this.emit('message', message)
    })
    // 'close' always follows 'error', and reconnecting only from 'close' keeps one socket at a time.
    ws.on('error', () => {})
    ws.on('close', (code) => {
      this.live = false
      if (this.ws === ws) this.ws = undefined
      if (this.stopped) {
        this.emit('close', { code, reconnectInMs: null })
        return
      }
      const delay = backoffDelay(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random)
      this.emit('close', { code, reconnectInMs: delay })
      this.timer = setTimeout(() => { if (!this.stopped) this.connect() }, delay)
    })
  }

  private onBinary(buffer: Buffer): void {
    const frame = decodeBinaryFrame(buffer)
    if (frame.kind !== 'preview') return
    this.emit('preview', { promptId: frame.promptId ?? this.lastPromptId, nodeId: frame.nodeId, mime: frame.mime, image: frame.image })
  }
}

/** Known messages, validated; unknown types and malformed frames are skipped (custom nodes send their own). */
export function parseMessage(text: string): ComfyMessage | undefined {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  const parsed = comfyMessageSchema.safeParse(value)
  return parsed.success ? parsed.data : undefined
}
