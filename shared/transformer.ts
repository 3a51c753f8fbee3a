import type { TRPCDataTransformer } from '@trpc/server'

/**
 * The tRPC wire format: JSON in which Dates travel as `{ "$date": "<ISO>" }` and come back as
 * Dates. A generic serializer (superjson) records a path for every value it visits, which on a
 * 5 MB project document cost more than the rest of the request; this walks once and copies only
 * the containers that hold a Date.
 */
const DATE_KEY = '$date'

function encode(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (value instanceof Date) return { [DATE_KEY]: value.toISOString() }
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      const encoded = encode(item)
      if (encoded !== item) (copy ??= value.slice())[i] = encoded
    }
    return copy ?? value
  }
  let copy: Record<string, unknown> | null = null
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key]
    const encoded = encode(item)
    if (encoded !== item) (copy ??= { ...(value as Record<string, unknown>) })[key] = encoded
  }
  return copy ?? value
}

function decode(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      // Only containers can hold a Date; writing back only what changed keeps large payloads cheap.
      if (item !== null && typeof item === 'object') {
        const decoded = decode(item)
        if (decoded !== item) value[i] = decoded
      }
    }
    return value
  }
  const record = value as Record<string, unknown>
  const date = record[DATE_KEY]
  if (typeof date === 'string') {
    let keys = 0
    for (const _ in record) keys++
    if (keys === 1) return new Date(date)
  }
  for (const key in record) {
    const item = record[key]
    if (item !== null && typeof item === 'object') {
      const decoded = decode(item)
      if (decoded !== item) record[key] = decoded
    }
  }
  return record
}

export const transformer: TRPCDataTransformer = { serialize: encode, deserialize: decode }
