import type { Server } from 'node:http'
import type { Duplex } from 'node:stream'

/** Request lines and headers up to this many bytes reach the app (Node's default is 16 KB). */
export const MAX_HEADER_BYTES = 64 * 1024
/** How long a refused connection may go on sending what it started before it is closed. */
const DRAIN_MS = 5_000

const ANSWERS: Record<string, { status: number; reason: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    message: `The request's URL and headers are over ${MAX_HEADER_BYTES / 1024} KB. Send large inputs in a POST body (tRPC mutations take JSON bodies).`,
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, reason: 'Request Timeout', message: 'The request took too long to arrive; send it again.' },
}
const BAD_REQUEST = { status: 400, reason: 'Bad Request', message: 'This is not a well-formed HTTP request.' }

/**
 * Answers requests Node's HTTP parser refuses (headers over the limit, malformed requests) with a
 * status and a sentence in the same JSON shape as other errors. Node's own answer closes the
 * connection while the client may still be sending, so the client often sees a reset instead of
 * the status: here the answer is sent, the rest of the request is read and dropped, and the
 * connection closes once the client is done (or after a few seconds).
 */
export function answerClientErrors(server: Server): void {
  const answered = new WeakSet<Duplex>()
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (answered.has(socket)) return
    answered.add(socket)
    // A reset needs no answer, and neither does a connection whose current response has begun:
    // writing a status into the middle of it would corrupt what the client reads (Node is as careful).
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy()
      return
    }
    const answer = (error.code && ANSWERS[error.code]) || BAD_REQUEST
    const body = JSON.stringify({ statusCode: answer.status, statusMessage: answer.reason, message: answer.message, data: { code: error.code ?? 'BAD_REQUEST' } })
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
    socket.on('data', () => {})
    socket.resume()
    setTimeout(() => socket.destroy(), DRAIN_MS).unref()
  })
}
