import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import type { JsonText } from '../../shared/json-text'

/**
 * tRPC answers with `JSON.stringify` of the whole result. A project document the database
 * already holds as JSON text would be parsed only to be serialised again (about 100 ms for
 * 5 MB), so a procedure answering over HTTP returns a marker in its place and the HTTP handler
 * swaps the marker for the text in the finished body. Markers are random per response and only
 * this request's are swapped, so no value a user stored can pose as one.
 */
const texts = new AsyncLocalStorage<Map<string, string>>()
const MARKER_PREFIX = 'lattice-json-text:'

type Values<F> = { [K in keyof F]: F[K] extends JsonText<infer T> ? T : never }

/**
 * `base` plus fields given as JSON text: in a response that `withJsonTextSplicing` finishes,
 * each field is a marker that becomes the text itself on the wire (which is what the type
 * describes: the client receives the value); anywhere else (`createCaller`, streamed answers)
 * the text is parsed.
 */
export function jsonTextResult<T extends object, F extends Record<string, JsonText<unknown>>>(base: T, fields: F): T & Values<F> {
  const pending = texts.getStore()
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) }
  for (const [key, text] of Object.entries(fields)) {
    if (pending) {
      const marker = `${MARKER_PREFIX}${randomUUID()}`
      pending.set(marker, text)
      result[key] = marker
    } else result[key] = JSON.parse(text)
  }
  return result as T & Values<F>
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
 * Runs a tRPC fetch handler so that `jsonTextResult` fields go out verbatim. Streaming answers
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
