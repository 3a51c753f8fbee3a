/** Where a member's value starts in serialised JSON, found without parsing it. */

const WHITESPACE = new Set([0x20, 0x0a, 0x0d, 0x09])

function skipWhitespace(json: string, at: number): number {
  while (at < json.length && WHITESPACE.has(json.charCodeAt(at))) at++
  return at
}

/** Index just past the string starting at `at` (a quote), or -1. */
function skipString(json: string, at: number): number {
  for (let end = json.indexOf('"', at + 1); end !== -1; end = json.indexOf('"', end + 1)) {
    let backslashes = 0
    while (json.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++
    if (backslashes % 2 === 0) return end + 1
  }
  return -1
}

/**
 * Index just past the JSON value starting at `at`, or -1 when it is not well formed enough to
 * skip. In valid JSON that is exactly where the value ends; the value itself is not checked.
 */
export function skipValue(json: string, at: number): number {
  const first = json.charCodeAt(at)
  if (first === 0x22) return skipString(json, at)
  if (first !== 0x7b && first !== 0x5b) {
    let end = at
    while (end < json.length && !WHITESPACE.has(json.charCodeAt(end)) && !',}]'.includes(json[end]!)) end++
    return end > at ? end : -1
  }
  let depth = 0
  for (let i = at; i < json.length; i++) {
    const c = json.charCodeAt(i)
    if (c === 0x22) {
      i = skipString(json, i) - 1
      if (i < 0) return -1
    } else if (c === 0x7b || c === 0x5b) depth++
    else if (c === 0x7d || c === 0x5d) {
      depth--
      if (depth === 0) return i + 1
    }
  }
  return -1
}

/**
 * Where the value of `json[keys[0]][keys[1]]…` starts, following members of nested objects,
 * or -1. Keys are matched as written (a key spelt with escapes does not match). Members before
 * the one sought are skipped; the value itself is not read.
 */
export function memberValueStart(json: string, keys: readonly string[], from = 0): number {
  let at = skipWhitespace(json, from)
  if (json[at] !== '{') return -1
  at = skipWhitespace(json, at + 1)
  while (json[at] === '"') {
    const keyEnd = skipString(json, at)
    if (keyEnd === -1) return -1
    const key = json.slice(at + 1, keyEnd - 1)
    at = skipWhitespace(json, keyEnd)
    if (json[at] !== ':') return -1
    at = skipWhitespace(json, at + 1)
    if (key === keys[0]) return keys.length === 1 ? at : memberValueStart(json, keys.slice(1), at)
    at = skipValue(json, at)
    if (at === -1) return -1
    at = skipWhitespace(json, at)
    if (json[at] !== ',') return -1
    at = skipWhitespace(json, at + 1)
  }
  return -1
}
