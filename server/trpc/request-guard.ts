import type { H3Event } from 'h3'
import { LIMITS } from '../../shared/limits'

/**
 * What one tRPC request may cost, checked before tRPC reads it: the calls in a batch, the body's
 * size while it streams (so an oversized body is never held whole), and how deeply its JSON
 * nests (the input decoders recurse; a 200 KB file of nested arrays would overflow the stack).
 */
export const REQUEST_LIMITS = {
  maxBatchCalls: 50,
  /** Query inputs longer than this belong in a POST body (the typed client splits batches below it). */
  maxUrlBytes: 16 * 1024,
  maxJsonDepth: 256,
  /** Procedures callable without signing in (sign-in, health): a few KB is plenty. */
  publicBodyBytes: 16 * 1024,
  defaultBodyBytes: 2 * 1024 * 1024,
  /** Project documents (save, import, export of an unsaved document), with room for the envelope. */
  documentBodyBytes: LIMITS.maxDocumentBytes + 1024 * 1024,
  workflowBodyBytes: 2 * LIMITS.maxWorkflowBytes + 1024 * 1024,
} as const

const PUBLIC = new Set(['auth.signIn', 'auth.signOut', 'auth.me', 'system.health'])
const DOCUMENT_INPUTS = new Set(['projects.save', 'projects.create', 'projects.import', 'export.create'])
const WORKFLOW_INPUTS = new Set(['comfy.workflows.inspect', 'comfy.workflows.upload', 'comfy.workflows.update'])

/** A request refused before tRPC saw it; answered in tRPC's error shape so clients read it as any other error. */
export class RequestRefused extends Error {
  constructor(readonly status: 400 | 413 | 414, readonly code: 'BAD_REQUEST' | 'PAYLOAD_TOO_LARGE' | 'URI_TOO_LONG', message: string) {
    super(message)
  }
}

/** The procedure paths a request calls (`a.b,c.d` for a batch). */
export function proceduresOf(url: URL): string[] {
  return decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1)).split(',').filter(Boolean)
}

export function bodyLimitFor(procedures: string[]): number {
  let limit = 0
  for (const path of procedures) {
    const own = PUBLIC.has(path) ? REQUEST_LIMITS.publicBodyBytes
      : DOCUMENT_INPUTS.has(path) ? REQUEST_LIMITS.documentBodyBytes
        : WORKFLOW_INPUTS.has(path) ? REQUEST_LIMITS.workflowBodyBytes
          : REQUEST_LIMITS.defaultBodyBytes
    limit = Math.max(limit, own)
  }
  return limit || REQUEST_LIMITS.publicBodyBytes
}

/** A URL over the limit is refused with 414 before its query is decoded. */
export function checkUrlLength(url: string): void {
  if (url.length > REQUEST_LIMITS.maxUrlBytes) {
    throw new RequestRefused(414, 'URI_TOO_LONG', `The URL is ${size(url.length)}, over the ${size(REQUEST_LIMITS.maxUrlBytes)} Lattice reads. Send large inputs in a POST body (tRPC mutations take JSON bodies).`)
  }
}

export function checkBatch(procedures: string[]): void {
  if (procedures.length > REQUEST_LIMITS.maxBatchCalls) {
    throw new RequestRefused(400, 'BAD_REQUEST', `A batch carries at most ${REQUEST_LIMITS.maxBatchCalls} calls; this one has ${procedures.length}. Send them in several requests.`)
  }
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024 * 10) / 10} MB`
const size = (bytes: number) => (bytes >= 1024 * 1024 ? mb(bytes) : `${Math.round(bytes / 1024)} KB`)

function tooLarge(procedures: string[], limit: number): RequestRefused {
  return new RequestRefused(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${size(limit)}, the most ${procedures.join(', ')} accepts. Send less (project documents up to ${mb(LIMITS.maxDocumentBytes)}).`)
}

/**
 * The body as text, read with `limit` enforced as it arrives: a declared length over it is
 * refused before a byte is read, a stream that passes it is cut off there.
 */
export async function readBodyLimited(event: H3Event, procedures: string[]): Promise<string> {
  const limit = bodyLimitFor(procedures)
  const declared = Number(event.headers.get('content-length') ?? Number.NaN)
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(procedures, limit)
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of event.node.req as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > limit) {
      // Stop reading; the answer goes out and the connection closes behind it.
      event.node.req.pause()
      throw tooLarge(procedures, limit)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks, total).toString('utf8')
}

/**
 * Refuses JSON nested deeper than the limit, in one pass over the text (strings skipped), before
 * anything parses or walks it. Not a validator: malformed JSON is left for the parser to name.
 */
export function checkJsonDepth(text: string, max = REQUEST_LIMITS.maxJsonDepth): void {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped character
      else if (c === 34) inString = false
      continue
    }
    if (c === 34) inString = true
    else if (c === 91 || c === 123) {
      if (++depth > max) throw new RequestRefused(400, 'BAD_REQUEST', `The request's JSON nests deeper than ${max} levels; no Lattice input needs more. Flatten it.`)
    } else if (c === 93 || c === 125) depth--
  }
}

/** Bodies up to this size are parsed once here to name a JSON mistake; larger ones (documents) are left to tRPC. */
const CHECKED_PARSE_BYTES = 2 * 1024 * 1024

/** Refuses text that is not JSON, saying where it breaks: tRPC would parse it inside the procedure and call it a fault. */
export function checkJson(text: string, what: 'body' | '`?input=`'): void {
  if (text.length > CHECKED_PARSE_BYTES) return
  try {
    JSON.parse(text)
  } catch (error) {
    throw new RequestRefused(400, 'BAD_REQUEST', `The request's ${what} is not valid JSON (${(error as Error).message}). Send JSON, as the typed client does.`)
  }
}

/** The refusal as tRPC answers errors (one per call for a batch), so clients report it as they do any error. */
export function refusalResponse(error: RequestRefused, procedures: string[], batch: boolean): Response {
  const shape = (path: string | undefined) => ({
    error: { message: error.message, code: -32600, data: { code: error.code, httpStatus: error.status, path, zodError: null, details: null } },
  })
  const body = batch ? procedures.map((path) => shape(path)) : shape(procedures[0])
  return new Response(JSON.stringify(body), { status: error.status, headers: { 'content-type': 'application/json' } })
}
