import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'

/**
 * tRPC answers with `JSON.stringify` of the whole result. A project document the database
 * already holds as JSON text would be parsed only to be serialised again (about 100 ms for
 * 5 MB), so the transformer puts a marker in its place and the HTTP handler swaps the marker
 * for the text in the finished body. Markers are random per response and only this request's
 * are swapped, so no value a user stored can pose as one.
 */
const texts = new AsyncLocalStorage<Map<string, string>>()
const MARKER_PREFIX = 'lattice-json-text:'

/** The transformer's stand-in for `text`; undefined outside a response that will be spliced. */
export function jsonTextMarker(text: string): string | undefined {
  const pending = texts.getStore()
  if (!pending) return undefined
  const marker = `${MARKER_PREFIX}${randomUUID()}`
  pending.set(marker, text)
  return marker
}

/** Splices `pending` texts into a serialised JSON body in place of their quoted markers. */
export function spliceJsonTexts(body: string, pending: ReadonlyMap<string, string>): string {
  let out = body
  for (const [marker, text] of pending) {
    const quoted = JSON.stringify(marker)
    const at = out.indexOf(quoted)
    if (at !== -1) out = out.slice(0, at) + text + out.slice(at + quoted.length)
  }
  return out
}

/**
 * Runs a tRPC fetch handler so that JSON-text results go out verbatim. Streaming answers
 * (JSON lines, server-sent events) are written while the procedure runs, so they get parsed
 * values instead.
 */
export async function withJsonTextSplicing<R extends Response | undefined>(request: { headers: Headers }, handle: () => Promise<R>): Promise<R | Response> {
  const streaming = request.headers.has('trpc-accept') || (request.headers.get('accept') ?? '').includes('text/event-stream')
  if (streaming) return handle()
  const pending = new Map<string, string>()
  const response = await texts.run(pending, handle)
  if (!response || pending.size === 0) return response
  const body = spliceJsonTexts(await response.text(), pending)
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  return new Response(body, { status: response.status, statusText: response.statusText, headers })
}
