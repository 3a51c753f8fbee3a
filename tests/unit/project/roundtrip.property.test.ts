import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LAYER_KINDS, parseDocument, projectDocumentSchema } from '../../../shared/project'
import { color, layerBody, layerCommon, marker, real, text } from './arbitraries'

/** Composition `index` of `count`; its layers get parents from earlier layers only (no cycles). */
function composition(index: number, count: number) {
  const later = Array.from({ length: count - index - 1 }, (_, k) => `C${index + 1 + k}`)
  return fc
    .record({
      name: text,
      width: fc.integer({ min: 1, max: 1024 }).map((n) => n * 8),
      height: fc.integer({ min: 1, max: 1024 }).map((n) => n * 8),
      fps: real(0.001, 240),
      frameCount: fc.integer({ min: 1, max: 100_000 }),
      backgroundColor: color,
      markers: fc.array(marker, { maxLength: 2 }),
      layers: fc.array(fc.tuple(layerCommon, layerBody(later)), { maxLength: 5 }),
    })
    .map(({ layers, ...settings }) => ({
      id: `C${index}`,
      ...settings,
      layers: layers.map(([{ duration, parentPick, mattePick, matteMode, ...common }, body], i) => {
        const parent = parentPick % (i + 1)
        const matte = mattePick % layers.length
        return {
          ...common,
          ...body,
          id: `L${i}`,
          outPoint: common.inPoint + duration,
          parentId: parent === i ? null : `L${parent}`,
          trackMatte: { mode: matteMode, layerId: matte === i ? null : `L${matte}` },
        }
      }),
    }))
}

const documents = fc.integer({ min: 1, max: 3 }).chain((count) =>
  fc.tuple(...Array.from({ length: count }, (_, i) => composition(i, count))).map((compositions) => ({
    schemaVersion: 2 as const,
    mainCompositionId: 'C0',
    compositions: Object.fromEntries(compositions.map((c) => [c.id, c])),
  })),
)

describe('project documents', () => {
  it('are generated with every layer kind', () => {
    const kinds = new Set(fc.sample(layerBody(['C1']), { numRuns: 400, seed: 1 }).map((body) => body.kind))
    expect([...kinds].sort()).toEqual([...LAYER_KINDS].sort())
  })

  it('survive a JSON round trip and parseDocument unchanged', () => {
    fc.assert(
      fc.property(documents, (doc) => {
        const { document, migratedFrom } = parseDocument(JSON.parse(JSON.stringify(doc)))
        expect(migratedFrom).toBeNull()
        expect(document).toEqual(doc)
        // Parsing is idempotent: a parsed document parses to itself.
        expect(projectDocumentSchema.parse(document)).toEqual(document)
      }),
      { numRuns: 150 },
    )
  })
})
