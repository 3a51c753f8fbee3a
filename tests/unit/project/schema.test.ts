import { describe, expect, it } from 'vitest'
import { LAYER_KINDS, formatZodIssues, projectDocumentSchema } from '../../../shared/project'
import type { ProjectDocumentInput } from '../../../shared/project'
import { richDocument } from './documents'

// These tests break documents on purpose, which typed input would not allow.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any path of a composition may be broken
type Doc = ProjectDocumentInput & { compositions: Record<string, any> }

/** Parses `doc` expecting failure and returns the formatted issues. */
function problems(doc: unknown): string {
  const result = projectDocumentSchema.safeParse(doc)
  expect(result.success).toBe(false)
  return result.success ? '' : formatZodIssues(result.error, 20)
}

const mainLayers = (doc: Doc) => doc.compositions.main.layers

describe('projectDocumentSchema', () => {
  it('accepts a document with every layer kind and fills defaults', () => {
    const doc = projectDocumentSchema.parse(richDocument())
    const kinds = new Set(Object.values(doc.compositions).flatMap((c) => c.layers.map((l) => l.kind)))
    expect([...kinds].sort()).toEqual([...LAYER_KINDS].sort())

    const title = doc.compositions.main?.layers.find((l) => l.id === 'title')
    expect(title?.transform.scale).toEqual({ value: [100, 100, 100], keyframes: [] })
    expect(title?.transform.opacity.value).toBe(80)
    expect(title?.transform.position.keyframes[1]).toMatchObject({ interpolation: 'linear', easing: 'elasticOut' })
    expect(title?.kind === 'text' && title.data.fontFamily).toBe('sans-serif')
    expect(doc.compositions.inner?.backgroundColor).toBe('#000000')
  })

  it('names the path of a wrong value type', () => {
    const doc = richDocument() as Doc
    mainLayers(doc)[2].transform.opacity = { value: '80' }
    expect(problems(doc)).toBe('compositions.main.layers[2].transform.opacity.value: expected number, received string')
  })

  it('rejects a parent cycle', () => {
    const doc = richDocument() as Doc
    mainLayers(doc)[1].parentId = 'title'
    expect(problems(doc)).toBe('compositions.main.layers[1].parentId: parent cycle: "ctrl" → "title" → "ctrl"')
  })

  it('reports a longer cycle once, at its first layer, even when other layers lead into it', () => {
    const doc = richDocument() as Doc
    const parents = [['n0', 'n2'], ['n1', 'n2'], ['n2', 'n3'], ['n3', 'n1']]
    const nulls = parents.map(([id, parentId]) => ({ id, kind: 'null', outPoint: 10, parentId }))
    doc.compositions.inner.layers = nulls
    expect(problems(doc)).toBe('compositions.inner.layers[2].parentId: parent cycle: "n2" → "n3" → "n1" → "n2"')
  })

  it('checks a long parent chain quickly', () => {
    const doc = richDocument() as Doc
    doc.compositions.inner.layers = Array.from({ length: 3000 }, (_, i) => ({
      id: `n${i}`, kind: 'null', outPoint: 10, parentId: i + 1 < 3000 ? `n${i + 1}` : null,
    }))
    const started = performance.now()
    expect(projectDocumentSchema.safeParse(doc).success).toBe(true)
    expect(performance.now() - started).toBeLessThan(2000)
  })

  it('rejects a parent that lives in another composition', () => {
    const doc = richDocument() as Doc
    mainLayers(doc)[2].parentId = 'img'
    expect(problems(doc)).toContain(
      'compositions.main.layers[2].parentId: parent "img" is not a layer of this composition; parents must be in the same composition',
    )
  })

  it('rejects a track matte outside the composition and a self parent', () => {
    const doc = richDocument() as Doc
    mainLayers(doc)[3].trackMatte.layerId = 'nope'
    mainLayers(doc)[4].parentId = 'clip'
    const text = problems(doc)
    expect(text).toContain('compositions.main.layers[3].trackMatte.layerId: track matte "nope" is not a layer of this composition')
    expect(text).toContain('compositions.main.layers[4].parentId: a layer cannot be its own parent')
  })

  it('rejects a composition that nests itself, directly or indirectly', () => {
    const direct = richDocument() as Doc
    direct.compositions.inner.layers.push({ id: 'self', kind: 'nestedComposition', outPoint: 48, data: { compositionId: 'inner' } })
    expect(problems(direct)).toBe('compositions.inner.layers[1].data.compositionId: composition "inner" would contain itself')

    const indirect = richDocument() as Doc
    indirect.compositions.inner.layers.push({ id: 'back', kind: 'nestedComposition', outPoint: 48, data: { compositionId: 'main' } })
    const text = problems(indirect)
    expect(text).toContain('compositions.main.layers[9].data.compositionId: composition "main" would contain itself through "inner"')
    expect(text).toContain('compositions.inner.layers[1].data.compositionId: composition "inner" would contain itself through "main"')
  })

  it('rejects a nested composition that does not exist', () => {
    const doc = richDocument() as Doc
    mainLayers(doc)[9].data.compositionId = 'ghost'
    expect(problems(doc)).toBe('compositions.main.layers[9].data.compositionId: composition "ghost" does not exist')
  })

  it('does not mistake object prototype names for compositions', () => {
    const doc = richDocument() as Doc
    mainLayers(doc)[9].data.compositionId = 'toString'
    doc.mainCompositionId = 'constructor'
    const text = problems(doc)
    expect(text).toContain('mainCompositionId: main composition "constructor" is not in compositions')
    expect(text).toContain('compositions.main.layers[9].data.compositionId: composition "toString" does not exist')
  })

  it('rejects unsorted and duplicate keyframes', () => {
    const doc = richDocument() as Doc
    const keyframes = mainLayers(doc)[2].transform.position.keyframes
    ;[keyframes[0], keyframes[1]] = [keyframes[1], keyframes[0]]
    mainLayers(doc)[6].transform = { rotation: { value: 0, keyframes: [{ id: 'a', frame: 5, value: 0 }, { id: 'b', frame: 5, value: 1 }] } }
    const text = problems(doc)
    expect(text).toContain('compositions.main.layers[2].transform.position.keyframes[1].frame: keyframes out of order at frame 0 (after frame 40.5)')
    expect(text).toContain('compositions.main.layers[6].transform.rotation.keyframes[1].frame: two keyframes at frame 5 (after frame 5)')
  })

  it('rejects a width that is not a multiple of 8 and other composition settings', () => {
    const doc = richDocument() as Doc
    doc.compositions.inner.width = 500
    doc.compositions.inner.fps = 0
    doc.compositions.inner.backgroundColor = 'red'
    const text = problems(doc)
    expect(text).toContain('compositions.inner.width: must be a multiple of 8 (video models require it)')
    expect(text).toContain('compositions.inner.fps: Too small')
    expect(text).toContain('compositions.inner.backgroundColor: expected a colour like #rrggbb or #rrggbbaa')
  })

  it('rejects an out point before the in point, duplicate ids and a bad asset id', () => {
    const doc = richDocument() as Doc
    mainLayers(doc)[1].inPoint = 90
    mainLayers(doc)[5].id = 'bg'
    mainLayers(doc)[3].data.assetId = 'photo.png'
    const text = problems(doc)
    expect(text).toContain('compositions.main.layers[1].outPoint: outPoint (81) must be after inPoint (90)')
    expect(text).toContain('compositions.main.layers[6].id: duplicate layer id "bg"')
    expect(text).toContain('compositions.main.layers[3].data.assetId: expected an asset id (uuid)')
  })

  it('rejects an unknown layer kind', () => {
    const doc = richDocument() as Doc
    mainLayers(doc)[0].kind = 'particles'
    expect(problems(doc)).toMatch(/^compositions\.main\.layers\[0\]\.kind: Invalid discriminator value\. Expected 'image' \|/)
  })

  it('rejects a missing main composition and a key that differs from the id', () => {
    const doc = richDocument() as Doc
    doc.mainCompositionId = 'nope'
    doc.compositions.inner.id = 'other'
    const text = problems(doc)
    expect(text).toContain('mainCompositionId: main composition "nope" is not in compositions')
    expect(text).toContain('compositions.inner.id: composition id "other" must equal its key "inner"')
  })
})

describe('formatZodIssues', () => {
  it('keeps the first issues and counts the rest', () => {
    const doc = richDocument() as Doc
    for (const layer of mainLayers(doc)) layer.visible = 'yes'
    const text = problems(doc)
    const short = formatZodIssues(projectDocumentSchema.safeParse(doc).error!, 2)
    expect(text.split('; ')).toHaveLength(11)
    expect(short).toBe(
      'compositions.main.layers[0].visible: expected boolean, received string; compositions.main.layers[1].visible: expected boolean, received string; and 9 more',
    )
  })
})
