/** JSON text known to hold a `T`: what the server stores, and sends without parsing it. */
export type JsonText<T> = string & { readonly __jsonOf?: T }

/** Replaces each quoted marker in a serialised JSON body with its text (first occurrence only). */
export function spliceJsonTexts(body: string, texts: ReadonlyMap<string, string>): string {
  let out = body
  for (const [marker, text] of texts) {
    const quoted = JSON.stringify(marker)
    const at = out.indexOf(quoted)
    if (at !== -1) out = out.slice(0, at) + text + out.slice(at + quoted.length)
  }
  return out
}

const outgoing = new Map<string, string>()

function randomMarker(): string {
  // getRandomValues works on plain-HTTP pages too, where randomUUID does not exist.
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16))
  return `lattice-json-text:${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
}

/**
 * A stand-in for a value the caller already has as JSON text, to put in a tRPC input sent
 * through `jsonTextFetch`, which sends the text itself in its place: no serialising the value
 * again. Call `dropJsonText` with it when the call has ended, in case it was never sent.
 */
export function sendAsJsonText<T>(text: JsonText<T>): T {
  const marker = randomMarker()
  outgoing.set(marker, text)
  return marker as unknown as T
}

export function dropJsonText(marker: unknown): void {
  if (typeof marker === 'string') outgoing.delete(marker)
}

/** Wraps `fetch` so request bodies carry the texts of `sendAsJsonText` markers instead. */
export function jsonTextFetch(base: typeof globalThis.fetch): typeof globalThis.fetch {
  return (input, init) => {
    const body = init?.body
    if (typeof body !== 'string' || outgoing.size === 0) return base(input, init)
    const used = new Map<string, string>()
    for (const [marker, text] of outgoing) {
      if (body.includes(marker)) {
        used.set(marker, text)
        outgoing.delete(marker)
      }
    }
    return base(input, used.size === 0 ? init : { ...init, body: spliceJsonTexts(body, used) })
  }
}
