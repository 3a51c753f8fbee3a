import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { LAYER_KINDS, parseDocument, projectDocumentSchema } from '../../../shared/project'
import { layerBody, projectDocument as documents } from './arbitraries'

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
