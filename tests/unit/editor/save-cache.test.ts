import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PatchHistory, record, type Patch } from '../../../shared/editor/history'
import { SaveCache } from '../../../shared/editor/save-cache'
import { isCanonicalDocument, projectDocumentSchema, type ProjectDocument } from '../../../shared/project'
import { projectDocument } from '../project/arbitraries'
import { richDocument } from '../project/documents'

type Path = (string | number)[]
type Json = Record<string | number, unknown>

function leafPaths(value: unknown, at: Path = []): Path[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, [...at, i]))
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...at, key]))
  return [at]
}

/** An edit an editor could make: a leaf nudged (mostly staying valid) or set to junk, or layers rearranged. */
const editArbitrary = fc.record({ pick: fc.nat(), kind: fc.constantFrom('nudge', 'nudge', 'nudge', 'junk', 'move', 'remove', 'duplicate'), other: fc.nat() })
type Edit = typeof editArbitrary extends fc.Arbitrary<infer E> ? E : never

function applyEdit(draft: ProjectDocument, edit: Edit): void {
  const compositions = Object.values(draft.compositions)
  const layers = compositions[edit.other % compositions.length]!.layers
  if (edit.kind === 'move' && layers.length > 1) {
    const [layer] = layers.splice(edit.pick % layers.length, 1)
    layers.splice(edit.other % layers.length, 0, layer!)
  } else if (edit.kind === 'remove' && layers.length > 0) {
    layers.splice(edit.pick % layers.length, 1)
  } else if (edit.kind === 'duplicate' && layers.length > 0) {
    const copy = JSON.parse(JSON.stringify(layers[edit.pick % layers.length]!)) as typeof layers[number]
    layers.push({ ...copy, id: `copy-${edit.pick}-${layers.length}` })
  } else {
    const paths = leafPaths(draft)
    const path = paths[edit.pick % paths.length]!
    let parent = draft as unknown as Json
    for (const key of path.slice(0, -1)) parent = parent[key] as Json
    const key = path.at(-1)!
    const value = parent[key]
    parent[key] = edit.kind === 'junk' ? null : typeof value === 'number' ? value + 1 : typeof value === 'string' ? `${value}x` : typeof value === 'boolean' ? !value : value
  }
}

function expectSameAsFromScratch(cache: SaveCache, doc: ProjectDocument): void {
  const canonical = isCanonicalDocument(doc)
  expect(cache.isCanonical(doc)).toBe(canonical)
  if (canonical) expect(cache.text(doc)).toBe(JSON.stringify(doc))
}

describe('the save cache', () => {
  it('answers as a check from scratch after any edits, undos and redos it was told about', () => {
    fc.assert(
      fc.property(projectDocument, fc.array(fc.tuple(editArbitrary, fc.constantFrom('edit', 'edit', 'undo', 'redo')), { maxLength: 12 }), (generated, steps) => {
        const doc = JSON.parse(JSON.stringify(generated)) as ProjectDocument
        const cache = new SaveCache()
        const history = new PatchHistory()
        expectSameAsFromScratch(cache, doc)
        for (const [edit, step] of steps) {
          let patches: readonly Patch[] = []
          if (step === 'edit') {
            patches = record(doc, (draft) => applyEdit(draft, edit))
            history.push('edit', [...patches])
          } else {
            patches = (step === 'undo' ? history.undo() : history.redo())?.patches ?? []
          }
          cache.forget(patches)
          expectSameAsFromScratch(cache, doc)
        }
      }),
      { numRuns: 120 },
    )
  }, 60_000) // a long random edit history checked after every step

  it('keeps layer texts between saves, so an edit re-serialises only its layer', () => {
    const doc = projectDocumentSchema.parse(richDocument())
    const cache = new SaveCache()
    expect(cache.text(doc)).toBe(JSON.stringify(doc))
    const untouched = doc.compositions.main!.layers[1]!
    const originalStringify = JSON.stringify
    const stringified: unknown[] = []
    JSON.stringify = ((value: unknown, ...rest: never[]) => { stringified.push(value); return originalStringify(value, ...rest) }) as typeof JSON.stringify
    try {
      cache.forget(record(doc, (draft) => { draft.compositions.main!.layers[0]!.name = 'Renamed' }))
      expect(cache.isCanonical(doc)).toBe(true)
      const text = cache.text(doc)
      expect(stringified).toContain(doc.compositions.main!.layers[0])
      expect(stringified).not.toContain(untouched)
      expect(text).toBe(originalStringify(doc))
    } finally {
      JSON.stringify = originalStringify
    }
  })
})

describe('warming the save cache', () => {
  it('fills it layer by layer with what a save would compute', () => {
    const doc = projectDocumentSchema.parse(richDocument())
    const cache = new SaveCache()
    const steps = [...cache.warmUp(doc)]
    expect(steps).toHaveLength(Object.values(doc.compositions).reduce((n, c) => n + c.layers.length, 0))
    expect(cache.isCanonical(doc)).toBe(true)
    expect(cache.text(doc)).toBe(JSON.stringify(doc))
  })
})
