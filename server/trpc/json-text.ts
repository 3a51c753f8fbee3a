import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import { getRequestURL, readRawBody, toWebRequest, type H3Event } from 'h3'
import { spliceJsonTexts, type JsonText } from '../../shared/json-text'
import { memberValueStart } from './json-span'

/**
 * Large JSON values (project documents) cross the tRPC HTTP handler as text. tRPC parses
 * every request body and `JSON.stringify`s every answer; a 5 MB document would be parsed,
 * walked for Dates and serialised again for storage on the way in, and parsed and serialised
 * on the way out, though the database holds it as text. So the handler takes a document's
 * text out of a request body before tRPC parses it, and puts stored text into an answer after
 * tRPC serialised it; procedures see random markers that stand for this request's texts only,
 * so no value a user sends or stored can pose as one.
 */
interface Exchange {
  /** Texts taken out of the request body: marker → the text and its parsed value. */
  incoming: Map<string, { text: string; value: unknown }>
  /** Texts to put into the answer: marker → text. */
  outgoing: Map<string, string>
}
const exchange = new AsyncLocalStorage<Exchange>()
const newMarker = () => `lattice-json-text:${randomUUID()}`

type Values<F> = { [K in keyof F]: F[K] extends JsonText<infer T> ? T : never }

/**
 * `base` plus fields given as JSON text: in an answer this handler finishes, each field is a
 * marker that becomes the text itself on the wire (which is what the type describes: the
 * client receives the value); anywhere else (`createCaller`, streamed answers) it is parsed.
 */
export function jsonTextResult<T extends object, F extends Record<string, JsonText<unknown>>>(base: T, fields: F): T & Values<F> {
  const outgoing = exchange.getStore()?.outgoing
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) }
  for (const [key, text] of Object.entries(fields)) {
    if (outgoing) {
      const marker = newMarker()
      outgoing.set(marker, text)
      result[key] = marker
    } else result[key] = JSON.parse(text)
  }
  return result as T & Values<F>
}

/** An input field the handler may have taken out as text: its value, and its text when it was. */
export function jsonTextInput(field: unknown): { value: unknown; text?: string } {
  const taken = typeof field === 'string' ? exchange.getStore()?.incoming.get(field) : undefined
  return taken ?? { value: field }
}

/** Which procedure's input field to take out as text, by procedure path: `{ 'projects.save': 'document' }`. */
export type JsonTextInputs = Readonly<Record<string, string>>

/**
 * Takes the configured field of a single call's input out of the body, leaving a marker. Only
 * when the field closes the body, as the typed client sends it (the input's last key): parsing
 * the text then proves it is exactly the field's value, since a value followed by more members
 * would not parse. Anything else is left for tRPC as it is.
 */
export function takeInputText(body: string, url: URL, inputs: JsonTextInputs, incoming: Exchange['incoming']): string {
  const procedures = url.pathname.slice(url.pathname.lastIndexOf('/') + 1).split(',')
  const field = procedures.length === 1 && Object.hasOwn(inputs, procedures[0]!) ? inputs[procedures[0]!] : undefined
  if (!field) return body
  const batch = url.searchParams.get('batch') === '1'
  const start = memberValueStart(body, batch ? ['0', field] : [field])
  const closing = batch ? '}}' : '}'
  const trimmed = body.trimEnd()
  if (start === -1 || !trimmed.endsWith(closing)) return body
  const text = trimmed.slice(start, trimmed.length - closing.length)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return body
  }
  const marker = newMarker()
  incoming.set(marker, { text, value })
  return `${body.slice(0, start)}${JSON.stringify(marker)}${trimmed.slice(trimmed.length - closing.length)}`
}

/**
 * Runs a tRPC fetch handler on `event` with JSON text taken out of requests and put into
 * answers. Streaming answers (JSON lines, server-sent events) are written while the procedure
 * runs, so they are left alone and get parsed values.
 */
export async function handleWithJsonText(
  event: H3Event,
  inputs: JsonTextInputs,
  handle: (request: Request) => Promise<Response | undefined>,
): Promise<Response | undefined> {
  const accept = event.headers.get('accept') ?? ''
  if (event.headers.has('trpc-accept') || accept.includes('text/event-stream')) return handle(toWebRequest(event))
  const state: Exchange = { incoming: new Map(), outgoing: new Map() }
  let request: Request
  if (event.method === 'POST') {
    const url = getRequestURL(event)
    const body = takeInputText((await readRawBody(event, 'utf8')) ?? '', url, inputs, state.incoming)
    const headers = new Headers(event.headers)
    // The body is a string now; the transport describes it afresh.
    headers.delete('content-length')
    headers.delete('transfer-encoding')
    request = new Request(url, { method: 'POST', headers, body })
  } else request = toWebRequest(event)
  const response = await exchange.run(state, () => handle(request))
  if (!response || state.outgoing.size === 0) return response
  const body = spliceJsonTexts(await response.text(), state.outgoing)
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  return new Response(body, { status: response.status, statusText: response.statusText, headers })
}
