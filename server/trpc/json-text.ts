import { AsyncLocalStorage } from 'node:async_hooks'
import { randomUUID } from 'node:crypto'
import { getRequestURL, readRawBody, toWebRequest, type H3Event } from 'h3'
import { spliceJsonTexts, type JsonText } from '../../shared/json-text'
import { TRPCError } from '@trpc/server'
import { memberValueStart, skipValue } from './json-span'

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
  /** Texts taken out of the request body, by marker; parsed when the procedure reads them. */
  incoming: Map<string, string>
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

/**
 * An input field the handler may have taken out as text: its value, and its text when it was.
 * Parsed here, inside the procedure, so only callers who got that far cost a parse.
 */
export function jsonTextInput(field: unknown): { value: unknown; text?: string } {
  const text = typeof field === 'string' ? exchange.getStore()?.incoming.get(field) : undefined
  if (text === undefined) return { value: field }
  try {
    return { value: JSON.parse(text), text }
  } catch {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'The request body is not valid JSON.' })
  }
}

/** Which procedure's input field to take out as text, by procedure path: `{ 'projects.save': 'document' }`. */
export type JsonTextInputs = Readonly<Record<string, string>>

/** The field to take out as text for a single call to one of `inputs`' procedures, if any. */
function fieldFor(url: URL, inputs: JsonTextInputs): string | undefined {
  const procedures = url.pathname.slice(url.pathname.lastIndexOf('/') + 1).split(',')
  return procedures.length === 1 && Object.hasOwn(inputs, procedures[0]!) ? inputs[procedures[0]!] : undefined
}

/**
 * Takes `field` of a single call's input out of the body, leaving a marker: only when the
 * field's value ends where the body does, as the typed client sends it (the input's last
 * key), so nothing else in the body moves. Anything else is left for tRPC as it is.
 */
export function takeInputText(body: string, field: string, batch: boolean, incoming: Exchange['incoming']): string {
  const start = memberValueStart(body, batch ? ['0', field] : [field])
  if (start === -1) return body
  const end = skipValue(body, start)
  const closing = batch ? '}}' : '}'
  if (end === -1 || body.slice(end).trim() !== closing) return body
  const marker = newMarker()
  incoming.set(marker, body.slice(start, end))
  return `${body.slice(0, start)}${JSON.stringify(marker)}${closing}`
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
  /** The body when the caller has read it already (within its limits). */
  readBody?: string,
): Promise<Response | undefined> {
  const accept = event.headers.get('accept') ?? ''
  if (event.headers.has('trpc-accept') || accept.includes('text/event-stream')) return handle(toWebRequest(event))
  const state: Exchange = { incoming: new Map(), outgoing: new Map() }
  const url = getRequestURL(event)
  const field = event.method === 'POST' ? fieldFor(url, inputs) : undefined
  let request: Request
  if (!field && readBody === undefined) request = toWebRequest(event)
  else {
    const raw = readBody ?? (await readRawBody(event, 'utf8')) ?? ''
    const body = field ? takeInputText(raw, field, url.searchParams.get('batch') === '1', state.incoming) : raw
    const headers = new Headers(event.headers)
    // The body is a string now; the transport describes it afresh.
    headers.delete('content-length')
    headers.delete('transfer-encoding')
    request = new Request(url, { method: 'POST', headers, body })
  }
  const response = await exchange.run(state, () => handle(request))
  if (!response || state.outgoing.size === 0) return response
  const body = spliceJsonTexts(await response.text(), state.outgoing)
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  return new Response(body, { status: response.status, statusText: response.statusText, headers })
}
