import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What one running export lends its page through the bridge. */
export interface BridgeSession {
  /** The project document being exported, as JSON text. */
  document: string
  /** The file of an asset the document uses, if the export's owner may read it; else null. */
  assetFile(assetId: string): Promise<{ path: string; mime: string } | null>
  /** The largest frame the page may send, bytes (width × height × 4). */
  maxFrameBytes: number
  /** Takes one frame of one pass; the page waits for this before sending more (backpressure). */
  takeFrame(frame: number, key: string, bytes: Buffer): Promise<void>
}

/**
 * A loopback HTTP server between this process and the export pages of its Chromium: pages read
 * the document and assets from it and post every frame to it as raw bytes, so frames never go
 * through the DevTools protocol as base64. Each export is reached only under its own random
 * secret; the server listens on 127.0.0.1 only.
 */
export class FrameBridge {
  private server: Server | null = null
  private starting: Promise<string> | null = null
  private readonly sessions = new Map<string, BridgeSession>()

  /** Registers an export; returns its base URL (the page's `bridge`) and a function that ends it. */
  async open(session: BridgeSession): Promise<{ url: string; close: () => void }> {
    const origin = await this.start()
    const secret = randomBytes(24).toString('base64url')
    this.sessions.set(secret, session)
    return { url: `${origin}/${secret}`, close: () => this.sessions.delete(secret) }
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = null
    this.starting = null
    this.sessions.clear()
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private start(): Promise<string> {
    this.starting ??= new Promise<string>((resolve, reject) => {
      const server = createServer((request, response) => {
        this.handle(request, response).catch((error: Error) => fail(response, 500, error.message))
      })
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        this.server = server
        server.unref()
        resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
      })
    })
    return this.starting
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // The page's origin is the app's; these answers are readable there, and only with the secret.
    response.setHeader('access-control-allow-origin', '*')
    const [secret = '', route = '', ...rest] = (request.url ?? '').split('?')[0]!.split('/').filter(Boolean)
    const session = this.sessions.get(secret)
    if (!session) return fail(response, 404, 'This export is not running.')
    if (request.method === 'GET' && route === 'document' && rest.length === 0) {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(session.document)
      return
    }
    if (request.method === 'GET' && route === 'assets' && rest.length === 1) {
      const file = await session.assetFile(decodeURIComponent(rest[0]!))
      if (!file) return fail(response, 404, 'No such asset in this export.')
      response.writeHead(200, { 'content-type': file.mime })
      createReadStream(file.path).on('error', () => response.destroy()).pipe(response)
      return
    }
    if (request.method === 'POST' && route === 'frames' && rest.length === 2) {
      const frame = Number(rest[0])
      if (!Number.isInteger(frame) || frame < 0) return fail(response, 400, 'Bad frame number.')
      const bytes = await readBody(request, session.maxFrameBytes)
      if (!bytes) return fail(response, 413, 'Frame larger than the export size.')
      await session.takeFrame(frame, decodeURIComponent(rest[1]!), bytes)
      response.writeHead(204)
      response.end()
      return
    }
    fail(response, 404, 'Unknown bridge route.')
  }
}

function fail(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) return void response.destroy()
  response.writeHead(status, { 'content-type': 'text/plain' })
  response.end(message)
}

/** The whole body, or null once it passes `maxBytes` (the rest is not read). */
async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const declared = Number(request.headers['content-length'] ?? 0)
  if (declared > maxBytes) return null
  const body = declared > 0 ? Buffer.allocUnsafe(declared) : null
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of request as AsyncIterable<Buffer>) {
    if (length + chunk.length > maxBytes) return null
    if (body && length + chunk.length <= body.length) chunk.copy(body, length)
    else chunks.push(chunk)
    length += chunk.length
  }
  if (body && length === body.length && chunks.length === 0) return body
  return Buffer.concat(body ? [body.subarray(0, Math.min(length, body.length)), ...chunks] : chunks)
}
