import { describe, expect, it } from 'vitest'
import { withJsonText, type JsonText } from '../../shared/json-text'
import { createTransformer, transformer } from '../../shared/transformer'

const roundTrip = (value: unknown) => transformer.deserialize(JSON.parse(JSON.stringify(transformer.serialize(value))))

describe('the tRPC wire transformer', () => {
  it('brings Dates back as Dates at any depth', () => {
    const at = new Date('2026-11-21T10:00:00.000Z')
    const out = roundTrip({ at, list: [{ at }, 1, null], nested: { deeper: { at } } }) as { at: Date; list: [{ at: Date }]; nested: { deeper: { at: Date } } }
    expect(out.at).toBeInstanceOf(Date)
    expect(out.at.getTime()).toBe(at.getTime())
    expect(out.list[0].at).toEqual(at)
    expect(out.nested.deeper.at).toEqual(at)
  })
  it('leaves everything else as JSON, and does not copy containers without Dates', () => {
    const doc = { layers: [{ name: 'a', opacity: 0.5, tags: ['x'] }], $date: 'not alone', empty: {} }
    expect(transformer.serialize(doc)).toBe(doc)
    expect(roundTrip(doc)).toEqual(doc)
  })
  it('does not change the value it was given', () => {
    const at = new Date(0)
    const input = { items: [{ at }] }
    transformer.serialize(input)
    expect(input.items[0]!.at).toBe(at)
  })
  it('sends a field held as JSON text as that JSON, parsing it only when no placeholder is given', () => {
    const at = new Date('2026-11-21T10:00:00.000Z')
    const text: JsonText<{ layers: number[] }> = '{"layers":[1,2]}'
    const result = withJsonText({ id: 'p1', at }, { document: text })
    expect(roundTrip(result)).toEqual({ id: 'p1', at, document: { layers: [1, 2] } })
    const placed: string[] = []
    const server = createTransformer({ jsonTextPlaceholder: (json) => { placed.push(json); return 'MARK' } })
    expect(server.serialize(result)).toEqual({ id: 'p1', at: { $date: at.toISOString() }, document: 'MARK' })
    expect(placed).toEqual([text])
  })
  it('gives server-side readers of a JSON-text field an ordinary value, parsed once, replaceable', () => {
    const result = withJsonText({ id: 'p1' }, { document: '{"a":{"b":1}}' as JsonText<{ a: { b: number } }> })
    expect(result.document).toBe(result.document)
    expect(structuredClone(result)).toEqual({ id: 'p1', document: { a: { b: 1 } } })
    result.document = { a: { b: 2 } }
    const server = createTransformer({ jsonTextPlaceholder: () => 'MARK' })
    expect(server.serialize(result)).toEqual({ id: 'p1', document: { a: { b: 2 } } })
  })
})
