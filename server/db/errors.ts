/**
 * True when a query failed because the database cannot be reached (server down, network cut,
 * connections exhausted), as opposed to a bad query. Such failures answer 503 with advice, and
 * the process keeps serving: the pool reconnects when the database is back.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const record = e as { code?: unknown; kind?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } }; cause?: unknown }
    if (typeof record.code === 'string' && UNAVAILABLE_CODES.has(record.code)) return true
    const kind = record.kind ?? record.meta?.driverAdapterError?.cause?.kind
    if (typeof kind === 'string' && UNAVAILABLE_KINDS.has(kind)) return true
    if (typeof record.message === 'string' && UNAVAILABLE_MESSAGES.some((m) => (record.message as string).includes(m))) return true
    e = record.cause ?? record.meta?.driverAdapterError?.cause
  }
  return false
}

// Prisma (P1001 unreachable, P1002 timeout, P1017 closed, P2024 pool timeout), Node sockets, and
// PostgreSQL's connection-exception / operator-intervention SQLSTATEs.
const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300'])
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError'])
const UNAVAILABLE_MESSAGES = ['Connection terminated', 'connection timeout', 'Client has encountered a connection error', 'PGlite is closed']

/**
 * True when the database refused text it cannot store: a NUL character (PostgreSQL text and
 * jsonb cannot hold one) or an invalid byte sequence. That is bad input, not a server fault.
 */
export function isInvalidText(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    const record = e as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown } } }; cause?: unknown }
    const original = record.meta?.driverAdapterError?.cause
    const code = typeof record.code === 'string' ? record.code : typeof original?.originalCode === 'string' ? original.originalCode : ''
    if (INVALID_TEXT_CODES.has(code)) return true
    const message = `${typeof record.message === 'string' ? record.message : ''} ${typeof original?.originalMessage === 'string' ? original.originalMessage : ''}`
    if (INVALID_TEXT_MESSAGES.some((m) => message.includes(m))) return true
    e = record.cause ?? original
  }
  return false
}

// character_not_in_repertoire (invalid byte sequence, 0x00 in text), untranslatable_character (\u0000 in jsonb).
const INVALID_TEXT_CODES = new Set(['22021', '22P05'])
const INVALID_TEXT_MESSAGES = ['invalid byte sequence for encoding', 'cannot be converted to text', 'unsupported Unicode escape sequence']
