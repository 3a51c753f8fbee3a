import { describe, expect, it } from 'vitest'
import { transformer } from '../../shared/transformer'

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
})
