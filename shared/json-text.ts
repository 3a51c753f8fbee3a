/** JSON text known to hold a `T`: what the server stores and can send without parsing it. */
export type JsonText<T> = string & { readonly __jsonOf?: T }

/** Where `withJsonText` keeps the texts; the transformer reads it on a procedure's result. */
export const JSON_TEXT_FIELDS: unique symbol = Symbol.for('lattice.jsonTextFields')

type Values<F> = { [K in keyof F]: F[K] extends JsonText<infer T> ? T : never }

/**
 * `base` plus fields held as JSON text. Sent as a tRPC result, each text goes on the wire as it
 * is (shared/transformer.ts, server/trpc/json-splice.ts); read on the server, a field is parsed
 * the first time it is read, so `createCaller` and services see ordinary values.
 */
export function withJsonText<T extends object, F extends Record<string, JsonText<unknown>>>(base: T, fields: F): T & Values<F> {
  const result = { ...base } as T & Values<F>
  const texts: Record<string, string> = { ...fields }
  for (const [key, text] of Object.entries(texts)) {
    let parsed: { value: unknown } | undefined
    Object.defineProperty(result, key, {
      enumerable: true,
      configurable: true,
      get: () => (parsed ??= { value: JSON.parse(text) }).value,
      // A field given a new value is an ordinary field from then on: the text no longer says it.
      set: (value: unknown) => {
        delete texts[key]
        Object.defineProperty(result, key, { value, writable: true, enumerable: true, configurable: true })
      },
    })
  }
  Object.defineProperty(result, JSON_TEXT_FIELDS, { value: texts, enumerable: false })
  return result
}

/** The JSON-text fields of a value made by `withJsonText`, if it is one. */
export function jsonTextFields(value: unknown): Record<string, string> | undefined {
  return typeof value === 'object' && value !== null ? (value as { [JSON_TEXT_FIELDS]?: Record<string, string> })[JSON_TEXT_FIELDS] : undefined
}
