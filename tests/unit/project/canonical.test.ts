import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { compileCanonicalCheck } from '../../../shared/canonical-check'
import { createEmptyDocument, isCanonicalDocument, parseDocument, projectDocumentSchema } from '../../../shared/project'
import { projectDocument } from './arbitraries'
import { richDocument } from './documents'

type Path = (string | number)[]

/** Every path in a JSON value, containers included, root first. */
function paths(value: unknown, at: Path = []): Path[] {
  const here = [at]
  if (Array.isArray(value)) return here.concat(...value.map((item, i) => paths(item, [...at, i])))
  if (value && typeof value === 'object') return here.concat(...Object.entries(value).map(([key, item]) => paths(item, [...at, key])))
  return here
}

type Edit = { kind: 'set'; value: unknown } | { kind: 'delete' } | { kind: 'addKey'; key: string; value: unknown }

/** Runs `check` on `doc` with one edit at `path` made in place, then undoes the edit. */
function withEdit<T>(doc: unknown, path: Path, edit: Edit, check: (edited: unknown) => T): T {
  let parent = doc as Record<string | number, unknown>
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<string | number, unknown>
  const last = path.at(-1)
  if (edit.kind === 'addKey') {
    const target = (last === undefined ? doc : parent[last]) as Record<string, unknown>
    if (!target || typeof target !== 'object' || Array.isArray(target) || Object.hasOwn(target, edit.key)) return check(doc)
    Object.defineProperty(target, edit.key, { value: edit.value, enumerable: true, configurable: true, writable: true })
    try { return check(doc) } finally { delete target[edit.key] }
  }
  if (last === undefined) return check(edit.kind === 'set' ? edit.value : undefined)
  const before = parent[last]
  if (edit.kind === 'delete' && Array.isArray(parent)) {
    parent.splice(last as number, 1)
    try { return check(doc) } finally { parent.splice(last as number, 0, before) }
  }
  if (edit.kind === 'delete') delete parent[last]
  else parent[last] = edit.value
  try { return check(doc) } finally { parent[last] = before }
}

/**
 * What the fast path promises: when it says "canonical", zod accepts and returns the same value.
 * Returns the verdicts, and `broken` when the promise does not hold.
 */
function compareWithZod(candidate: unknown): { canonical: boolean; zodAccepts: boolean; broken: boolean } {
  const canonical = isCanonicalDocument(candidate)
  const parsed = projectDocumentSchema.safeParse(candidate)
  const broken = canonical && !(parsed.success && isDeepStrictEqual(parsed.data, candidate))
  return { canonical, zodAccepts: parsed.success, broken }
}

function agreesWithZod(candidate: unknown): { canonical: boolean; zodAccepts: boolean } {
  const { broken, ...verdicts } = compareWithZod(candidate)
  expect(broken, JSON.stringify(candidate)).toBe(false)
  return verdicts
}

const BAD_VALUES: unknown[] = [null, undefined, -1, 0.5, 1e9, Number.NaN, '', 'x', true, {}, [0, 0, 0]]

describe('canonical project documents (the fast path of validation)', () => {
  it('are what zod returns: parsed documents are canonical, documents missing defaults are not', () => {
    const rich = projectDocumentSchema.parse(richDocument())
    expect(isCanonicalDocument(rich)).toBe(true)
    expect(isCanonicalDocument(createEmptyDocument({ name: 'Empty' }))).toBe(true)
    expect(isCanonicalDocument(richDocument())).toBe(false)
    expect(projectDocumentSchema.safeParse(richDocument()).success).toBe(true)
  })

  it('are returned by parseDocument as they are; anything else is parsed into a copy', () => {
    const rich = projectDocumentSchema.parse(richDocument())
    expect(parseDocument(rich).document).toBe(rich)
    const raw = richDocument()
    const parsed = parseDocument(raw).document
    expect(parsed).not.toBe(raw)
    expect(parsed).toEqual(rich)
  })

  it('include every generated valid document, as it arrives in JSON', () => {
    fc.assert(
      fc.property(projectDocument.map((doc) => JSON.parse(JSON.stringify(doc)) as unknown), (doc) => {
        expect(isCanonicalDocument(doc)).toBe(true)
        expect(agreesWithZod(doc)).toEqual({ canonical: true, zodAccepts: true })
      }),
      { numRuns: 150 },
    )
  })

  it('never include a value zod refuses or would change, whatever is edited at any path of a rich document', () => {
    const rich = projectDocumentSchema.parse(richDocument())
    let refusedByZod = 0
    const broken: string[] = []
    for (const path of paths(rich)) {
      const edits: Edit[] = [
        ...BAD_VALUES.map((value) => ({ kind: 'set' as const, value })),
        { kind: 'delete' },
        { kind: 'addKey', key: 'extra', value: 1 },
        { kind: 'addKey', key: '__proto__', value: {} },
      ]
      for (const edit of edits) {
        const verdict = withEdit(rich, path, edit, compareWithZod)
        if (verdict.broken) broken.push(`${path.join('.')}: ${JSON.stringify(edit)}`)
        if (!verdict.zodAccepts) refusedByZod++
      }
    }
    expect(broken).toEqual([])
    // The edits reach every kind of rule (types, ranges, enums, references, key sets).
    expect(refusedByZod).toBeGreaterThan(1500)
  }, 60_000)

  it('never include a value zod refuses or would change, for random edits of generated documents', () => {
    const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), value: fc.oneof(fc.jsonValue(), fc.constantFrom(...BAD_VALUES)) }),
      fc.record({ kind: fc.constant('delete' as const) }),
      fc.record({ kind: fc.constant('addKey' as const), key: fc.string(), value: fc.jsonValue() }),
    )
    fc.assert(
      fc.property(projectDocument, fc.nat(), editArbitrary, (generated, pick, edit) => {
        const doc: unknown = JSON.parse(JSON.stringify(generated))
        const all = paths(doc)
        withEdit(doc, all[pick % all.length]!, edit, agreesWithZod)
      }),
      { numRuns: 400 },
    )
  }, 60_000) // hundreds of generated documents: can take longer than the 5 s default on a busy 2-core machine

  it('measure string lengths as zod does (in code points), deciding only the sure cases itself', () => {
    const rich = projectDocumentSchema.parse(richDocument())
    for (const name of ['😀'.repeat(200), '😀'.repeat(201), 'a'.repeat(200), 'a'.repeat(201), '😀'.repeat(101)]) {
      withEdit(rich, ['compositions', 'main', 'name'], { kind: 'set', value: name }, agreesWithZod)
    }
    expect(withEdit(rich, ['compositions', 'main', 'name'], { kind: 'set', value: '😀'.repeat(200) }, isCanonicalDocument)).toBe(true)
    expect(withEdit(rich, ['compositions', 'main', 'layers', 0, 'id'], { kind: 'set', value: '😀' }, isCanonicalDocument)).toBe(true)
  })

  it('are only compiled for schemas whose parse cannot rewrite a value it accepts', () => {
    expect(() => compileCanonicalCheck(z.object({ name: z.string().trim() }))).toThrow(/unsupported/)
    expect(() => compileCanonicalCheck(z.string().transform((s) => s.length))).toThrow(/unsupported/)
    expect(() => compileCanonicalCheck(z.object({ a: z.string() }).catchall(z.number()))).toThrow(/unsupported/)
    expect(() => compileCanonicalCheck(z.union([z.object({ a: z.string().default('') }), z.string()]))).toThrow(/unsupported/)
    const check = compileCanonicalCheck(z.object({ a: z.number().min(1), b: z.string().optional() }))
    expect([check({ a: 1 }), check({ a: 1, b: 'x' }), check({ a: 0 }), check({ a: 1, b: undefined }), check({ a: 1, c: 2 })]).toEqual([true, true, false, false, false])
  })
})
