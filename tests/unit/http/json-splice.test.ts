import { describe, expect, it } from 'vitest'
import type { JsonText } from '../../../shared/json-text'
import { transformer } from '../../../shared/transformer'
import { jsonTextResult, spliceJsonTexts, withJsonTextSplicing } from '../../../server/trpc/json-splice'

const document: JsonText<unknown> = '{"schemaVersion":2,"name":"a \\"quoted\\" $& name","list":[1,2]}'

/** What tRPC's fetch handler does with a procedure's result: serialise it into a JSON response. */
const respond = async (procedure: () => unknown) =>
  new Response(JSON.stringify([{ result: { data: transformer.serialize(procedure()) } }]), { headers: { 'content-type': 'application/json', 'content-length': '1' } })
const request = (headers: Record<string, string> = {}) => ({ headers: new Headers(headers) })

describe('JSON text spliced into tRPC responses', () => {
  it('puts the stored text in place of its marker, byte for byte, and the client reads the same value', async () => {
    const at = new Date('2026-12-01T00:00:00.000Z')
    const response = await withJsonTextSplicing(request(), () => respond(() => jsonTextResult({ id: 'p', at }, { document })))
    const body = await response!.text()
    expect(body).toContain(`"document":${document}`)
    expect(body).not.toContain('lattice-json-text:')
    expect(response!.headers.get('content-length')).toBeNull()
    const [{ result }] = transformer.deserialize(JSON.parse(body)) as [{ result: { data: unknown } }]
    expect(result.data).toEqual({ id: 'p', at, document: JSON.parse(document) })
  })

  it('parses the text for answers that are not spliced: streamed ones and calls outside HTTP', async () => {
    const streamed = await withJsonTextSplicing(request({ accept: 'text/event-stream' }), () => respond(() => jsonTextResult({}, { document })))
    expect(await streamed!.text()).toContain('"name":"a \\"quoted\\" $& name"')
    expect(jsonTextResult({ id: 'p' }, { document })).toEqual({ id: 'p', document: JSON.parse(document) })
    const plain = await respond(() => ({ ok: true }))
    expect(await withJsonTextSplicing(request(), async () => plain)).toBe(plain)
  })

  it('swaps only the markers this response made, not look-alikes in other values', () => {
    const pending = new Map([['lattice-json-text:1', '{"real":true}']])
    const body = JSON.stringify({ a: 'lattice-json-text:1', b: 'lattice-json-text:2', c: 'x lattice-json-text:1' })
    expect(JSON.parse(spliceJsonTexts(body, pending))).toEqual({ a: { real: true }, b: 'lattice-json-text:2', c: 'x lattice-json-text:1' })
  })
})
