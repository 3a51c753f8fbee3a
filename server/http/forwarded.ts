import { isIP } from 'node:net'

/**
 * Whose X-Forwarded-* headers are believed (LATTICE_TRUST_PROXY): nobody's, the one proxy every
 * request comes through, or only these peers'. Anyone can send the headers, so believing them
 * from a client would let it pick its own address (and dodge the sign-in lockout) or its origin.
 */
export type TrustProxy =
  | { kind: 'none' }
  | { kind: 'one-hop' }
  | { kind: 'addresses'; addresses: ReadonlySet<string> }

/** What this module reads of a request: its peer's address and its headers. */
export interface ForwardedRequest {
  /** The socket's remote address: the proxy when there is one. */
  peer: string | undefined
  header(name: string): string | undefined
}

/** Where the browser believes it is: the host (with port) and, when known, the scheme. */
export interface PublicOrigin {
  host: string | undefined
  protocol: 'http' | 'https' | undefined
}

const USAGE = 'LATTICE_TRUST_PROXY must be 1 or true (one reverse proxy in front of every request), 0 or false (none), or the proxies\' IP addresses separated by commas, such as 127.0.0.1,10.0.0.5'

/** Reads LATTICE_TRUST_PROXY; a value it cannot read stops start-up with a sentence saying what fits. */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim().toLowerCase() ?? ''
  if (value === '' || value === '0' || value === 'false') return { kind: 'none' }
  if (value === '1' || value === 'true') return { kind: 'one-hop' }
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean)
  const invalid = entries.filter((entry) => !isIP(normalizeAddress(entry)))
  if (entries.length === 0 || invalid.length > 0) throw new Error(`${USAGE} (got "${raw}").`)
  return { kind: 'addresses', addresses: new Set(entries.map(normalizeAddress)) }
}

/** Whether this request came through a proxy whose forwarded headers are believed. */
export function viaTrustedProxy(request: ForwardedRequest, trust: TrustProxy): boolean {
  if (trust.kind === 'none') return false
  if (trust.kind === 'one-hop') return true
  return request.peer !== undefined && trust.addresses.has(normalizeAddress(request.peer))
}

/**
 * The client's address. Behind a trusted proxy it is read from X-Forwarded-For right to left:
 * proxies append the address they saw, so the entries on the left are whatever the client sent.
 * With one hop the last entry is the client; with a list of proxies, the last one not in the list.
 */
export function clientAddress(request: ForwardedRequest, trust: TrustProxy): string {
  const peer = request.peer ? normalizeAddress(request.peer) : 'unknown'
  if (!viaTrustedProxy(request, trust)) return peer
  const chain = (request.header('x-forwarded-for') ?? '').split(',').map((entry) => normalizeAddress(entry.trim())).filter(Boolean)
  if (chain.length === 0) return peer
  let index = chain.length - 1
  if (trust.kind === 'addresses') while (index > 0 && trust.addresses.has(chain[index]!)) index--
  const client = chain[index]!
  // A proxy writes an address; anything else was not written by one.
  return isIP(client) ? client : peer
}

/**
 * Where the browser sent the request, to compare with its Origin. Behind a trusted proxy that is
 * X-Forwarded-Host (first value; else Host) and X-Forwarded-Proto; otherwise Host alone, since the
 * scheme the browser used is unknown when a TLS terminator in front is not declared.
 */
export function publicOrigin(request: ForwardedRequest, trust: TrustProxy): PublicOrigin {
  const host = request.header('host')?.trim() || undefined
  if (!viaTrustedProxy(request, trust)) return { host, protocol: undefined }
  const forwardedHost = firstValue(request.header('x-forwarded-host'))
  const forwardedProto = firstValue(request.header('x-forwarded-proto'))?.toLowerCase()
  return {
    host: forwardedHost || host,
    protocol: forwardedProto === 'http' || forwardedProto === 'https' ? forwardedProto : undefined,
  }
}

/** Whether a browser's Origin header names the place the request was sent to. */
export function originMatches(origin: string, expected: PublicOrigin): boolean {
  // A host header is a host and port; anything URL-like in it matches nothing.
  if (!expected.host || /[/\\@?#\s]/.test(expected.host)) return false
  try {
    const browser = new URL(origin)
    const protocol = expected.protocol ? `${expected.protocol}:` : browser.protocol
    // Parsed alike so a default port written out (`host:443`) equals one left out.
    return browser.protocol === protocol && browser.host === new URL(`${protocol}//${expected.host}`).host
  } catch {
    return false
  }
}

function firstValue(header: string | undefined): string | undefined {
  return header?.split(',')[0]?.trim() || undefined
}

/** IPv4 clients of a dual-stack socket arrive as `::ffff:a.b.c.d`; IPv6 case does not matter. */
function normalizeAddress(address: string): string {
  const unbracketed = address.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  return unbracketed.startsWith('::ffff:') && isIP(unbracketed.slice(7)) === 4 ? unbracketed.slice(7) : unbracketed
}
