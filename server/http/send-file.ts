import { createReadStream } from 'node:fs'
import { getHeader, sendStream, setResponseHeaders, setResponseStatus, type H3Event } from 'h3'

export interface FileToSend {
  path: string
  size: number
  mime: string
  /** Content hash: a strong ETag, since stored files never change. */
  etag: string
  /** Download name; inline display when absent. */
  downloadName?: string
}

/**
 * Streams a stored file with single-range support (video scrubbing seeks with Range requests)
 * and conditional GET. Multi-range requests are answered with the whole file, as RFC 9110 allows.
 */
export async function sendFile(event: H3Event, file: FileToSend) {
  const etag = `"${file.etag}"`
  setResponseHeaders(event, {
    'content-type': file.mime,
    'accept-ranges': 'bytes',
    etag,
    // Private: behind sign-in. Immutable: content-addressed.
    'cache-control': 'private, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    ...(file.downloadName ? { 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.downloadName)}` } : {}),
  })
  if (getHeader(event, 'if-none-match') === etag) {
    setResponseStatus(event, 304)
    return null
  }
  const range = parseRange(getHeader(event, 'range'), file.size)
  if (range === 'unsatisfiable') {
    setResponseStatus(event, 416)
    setResponseHeaders(event, { 'content-range': `bytes */${file.size}` })
    return null
  }
  if (event.method === 'HEAD') {
    setResponseHeaders(event, { 'content-length': file.size })
    return null
  }
  if (range) {
    setResponseStatus(event, 206)
    setResponseHeaders(event, { 'content-range': `bytes ${range.start}-${range.end}/${file.size}`, 'content-length': range.end - range.start + 1 })
    return sendStream(event, createReadStream(file.path, { start: range.start, end: range.end }))
  }
  setResponseHeaders(event, { 'content-length': file.size })
  return sendStream(event, createReadStream(file.path))
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; null means "send everything". */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match) return null
  const [, from, to] = match
  if (from === '' && to === '') return null
  let start: number
  let end: number
  if (from === '') {
    const suffix = Number(to)
    if (suffix === 0) return 'unsatisfiable'
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(from)
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1)
  }
  if (start >= size || start > end) return 'unsatisfiable'
  return { start, end }
}
