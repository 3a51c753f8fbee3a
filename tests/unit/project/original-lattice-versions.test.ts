import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { type Layer, type LayerOfKind, createEmptyDocument, importLegacyProject, parseDocument, projectDocumentSchema } from '../../../shared/project'
import { readProjectFile } from '../../../server/services/projects/project-file'

/** A project file the original Lattice wrote; fixtures/original-lattice/README.md names its source. */
const original = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`./fixtures/original-lattice/${name}`, import.meta.url), 'utf8'))

function layerNamed<K extends Layer['kind']>(layers: Layer[] | undefined, name: string, kind: K): LayerOfKind<K> {
  const layer = layers?.find((l) => l.name === name)
  expect(layer?.kind).toBe(kind)
  return layer as LayerOfKind<K>
}

/** Imports as `projects.import` does, and checks the result is a valid document that survives storage. */
function importAsProjectsImportDoes(name: string) {
  const read = readProjectFile(original(name))
  expect(read.source).toBe('legacy')
  expect(projectDocumentSchema.safeParse(read.document).success).toBe(true)
  expect(parseDocument(JSON.parse(JSON.stringify(read.document))).document).toEqual(read.document)
  return read
}

const kinds = (layers: Layer[] | undefined) => layers?.map((l) => [l.name, l.kind])

describe('original Lattice files of each shape it wrote', () => {
  it('reads the single-composition shape (December 11–15, 2025)', () => {
    const { document, warnings, name } = importAsProjectsImportDoes('1.0.0-single-composition.json')
    expect(name).toBe('Untitled')
    expect(Object.keys(document.compositions)).toEqual(['main'])
    const main = document.compositions.main
    expect(main).toMatchObject({ name: 'Main', width: 1024, height: 1024, fps: 16, frameCount: 81, backgroundColor: '#000000' })
    expect(kinds(main?.layers)).toEqual([
      ['Image 5', 'null'], ['Camera 1', 'camera'], ['Null 3', 'null'], ['Solid 2', 'solid'], ['Hello', 'text'],
    ])
    const hello = layerNamed(main?.layers, 'Hello', 'text')
    expect(hello).toMatchObject({ inPoint: 0, outPoint: 81, parentId: 'layer_1765741000003_z1x2c3v4b' })
    expect(hello.transform.position.value).toEqual([512, 300, 0])
    expect(hello.transform.opacity.keyframes.map((k) => [k.frame, k.value, k.easing])).toEqual([[0, 0, undefined], [16, 100, 'cubicOut']])
    expect(hello.data).toMatchObject({ text: 'Hello', fontFamily: 'Arial', fontSize: 48, fontWeight: 400, stroke: null })
    const solid = layerNamed(main?.layers, 'Solid 2', 'solid')
    expect(solid.effects.map((e) => [e.type, e.params.blurriness?.value, e.params.blur_dimensions?.value])).toEqual([['gaussian-blur', 10, 'both']])
    expect(warnings).toEqual([
      'Layer "Image 5" (image) in composition "Main": its media ("source_image") must be re-uploaded; kept as a null layer.',
      'Layer "Camera 1" (camera) in composition "Main": the file holds no settings for this camera (the original kept them outside the project); using a default camera.',
    ])
  })

  it('reads precomp layers, trackMatte*, solo and adjustmentLayer (December 15–19)', () => {
    const { document, warnings } = importAsProjectsImportDoes('1.0.0-precomp.json')
    const precompId = 'comp_1766040000001_h3j4k5l6m'
    expect(Object.keys(document.compositions)).toEqual(['main', precompId])
    const main = document.compositions.main
    expect(kinds(main?.layers)).toEqual([
      ['Grade', 'adjustment'], ['Solid 1', 'solid'], ['Matte', 'solid'], ['Shape 5', 'shape'], ['Pre-comp', 'nestedComposition'],
    ])
    expect(layerNamed(main?.layers, 'Pre-comp', 'nestedComposition')).toMatchObject({ inPoint: 10, outPoint: 51, data: { compositionId: precompId } })
    expect(layerNamed(main?.layers, 'Solid 1', 'solid')).toMatchObject({
      solo: true, shy: true, trackMatte: { mode: 'luma', layerId: 'layer_1766040000012_w9e8r7t6y' },
    })
    expect(layerNamed(main?.layers, 'Grade', 'adjustment').effects.map((e) => e.type)).toEqual(['gaussian-blur'])
    expect(document.compositions[precompId]).toMatchObject({ name: 'Pre-comp', frameCount: 41 })
    expect(kinds(document.compositions[precompId]?.layers)).toEqual([['Logo', 'text']])
    expect(warnings).toEqual([])
  })

  it('reads nestedComp layers and the renamed isolate, minimized, effectLayer and matte* fields (December 19–20)', () => {
    const { document, warnings } = importAsProjectsImportDoes('1.0.0-nested-comp.json')
    const main = document.compositions.main
    expect(main).toMatchObject({ width: 832, height: 480, backgroundColor: '#050505' })
    expect(kinds(main?.layers)).toEqual([
      ['Effects', 'adjustment'], ['Solid 3', 'solid'], ['Matte source', 'solid'], ['Control 2', 'null'], ['Nested Comp', 'nestedComposition'],
    ])
    expect(layerNamed(main?.layers, 'Solid 3', 'solid')).toMatchObject({
      solo: true, shy: true, trackMatte: { mode: 'alphaInverted', layerId: 'layer_1766238000013_s1o2u3r4c' },
    })
    expect(layerNamed(main?.layers, 'Control 2', 'null').locked).toBe(true)
    expect(layerNamed(main?.layers, 'Nested Comp', 'nestedComposition')).toMatchObject({
      blendMode: 'screen', inPoint: 8, outPoint: 41, data: { compositionId: 'comp_1766238000001_n1e2s3t4e' },
    })
    expect(warnings).toEqual([])
  })

  describe.each(['1.0.0-start-frame.json', '1.0.0-schema-2.json'])('the startFrame/origin shape: %s', (file) => {
    const { document, warnings } = importAsProjectsImportDoes(file)
    const main = document.compositions.main
    const nestedId = Object.keys(document.compositions).find((id) => id !== 'main') ?? ''

    it('keeps the compositions, layers and markers', () => {
      expect(main).toMatchObject({ name: 'Main Comp', width: 1280, height: 720, fps: 16, frameCount: 81, backgroundColor: '#2d2d2d' })
      expect(main?.markers).toEqual([{ frame: 24, label: 'beat', color: '#ffcc00' }])
      expect(kinds(main?.layers)).toEqual([
        ['Camera 1', 'camera'], ['EffectLayer 6', 'adjustment'], ['Solid 4', 'solid'], ['Solid 4 (split)', 'solid'],
        ['Shape 2', 'shape'], ['Control 3', 'null'], ['Title', 'text'], ['Nested Comp 1', 'nestedComposition'],
      ])
      expect(document.compositions[nestedId]).toMatchObject({ frameCount: 33, backgroundColor: '#050505' })
      expect(kinds(document.compositions[nestedId]?.layers)).toEqual([['Solid 1', 'solid']])
    })

    it('takes startFrame/endFrame, origin and speedMap over their stale aliases', () => {
      expect(layerNamed(main?.layers, 'Solid 4', 'solid')).toMatchObject({ inPoint: 0, outPoint: 41 })
      expect(layerNamed(main?.layers, 'Solid 4 (split)', 'solid')).toMatchObject({ inPoint: 40, outPoint: 81 })
      const shape = layerNamed(main?.layers, 'Shape 2', 'shape')
      expect(shape.transform.anchor.value).toEqual([50, 50, 0])
      expect(shape.transform.position.value).toEqual([640, 360, 0])
      expect(shape.parentId).toBe(layerNamed(main?.layers, 'Control 3', 'null').id)
      const nested = layerNamed(main?.layers, 'Nested Comp 1', 'nestedComposition')
      expect(nested.data.compositionId).toBe(nestedId)
      expect(nested.data.timeRemap?.keyframes.map((k) => [k.frame, k.value])).toEqual([[0, 0], [32, 16]])
    })

    it('maps the default shape, text, matte and effect layer', () => {
      const shapes = layerNamed(main?.layers, 'Shape 2', 'shape').data.shapes
      expect(shapes.map((s) => [s.type, s.name, s.fill, s.stroke])).toEqual([
        ['rectangle', 'Rectangle', { color: '#ffffff', opacity: 100 }, { color: '#ffffff', width: 2, opacity: 100 }],
      ])
      expect(layerNamed(main?.layers, 'Title', 'text').data).toMatchObject({ text: 'Title', fontSize: 72, lineHeight: 1.2, align: 'left' })
      expect(layerNamed(main?.layers, 'Solid 4', 'solid').trackMatte).toEqual({ mode: 'luma', layerId: layerNamed(main?.layers, 'Title', 'text').id })
      expect(layerNamed(main?.layers, 'EffectLayer 6', 'adjustment').effects.map((e) => e.type)).toEqual(['gaussian-blur'])
      expect(warnings).toEqual([
        'Layer "Camera 1" (camera) in composition "Main Comp": the file holds no settings for this camera (the original kept them outside the project); using a default camera.',
      ])
    })
  })

  it('imports schemaVersion 2 files through importLegacyProject itself, not as a Lattice document', () => {
    const raw = original('1.0.0-schema-2.json')
    expect(raw).toMatchObject({ version: '1.0.0', schemaVersion: 2 })
    const { document } = importLegacyProject(raw)
    expect(Object.keys(document.compositions)).toHaveLength(2)
    expect(document.mainCompositionId).toBe('main')
  })
})

function refusal(raw: unknown): string {
  try {
    readProjectFile(raw)
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('BAD_REQUEST')
    return (error as AppError).message
  }
  throw new Error('expected readProjectFile to refuse the file')
}

describe('telling original files from Lattice documents', () => {
  it('still opens Lattice documents of each schema version as documents', () => {
    const current = createEmptyDocument({ name: 'Street', width: 640, height: 360 })
    expect(readProjectFile(JSON.parse(JSON.stringify(current)))).toMatchObject({ source: 'document', warnings: [] })
    const v1 = { schemaVersion: 1, mainCompositionId: 'main', compositions: { main: { id: 'main', width: 640, height: 360, fps: 16, frameCount: 81, background: '#222222' } } }
    const read = readProjectFile(v1)
    expect(read).toMatchObject({ source: 'document', warnings: ['Upgraded from project format version 1.'] })
    expect(read.document.compositions.main?.backgroundColor).toBe('#222222')
  })

  it('reports a broken Lattice document as a document, naming the field', () => {
    const broken = { schemaVersion: 2, mainCompositionId: 'main', compositions: { main: { id: 'main', width: 641, height: 360, fps: 16, frameCount: 81 } } }
    expect(refusal(broken)).toMatch(/^Project document is invalid: compositions\.main\.width/)
  })

  it('refuses files it cannot read with a sentence saying what they are and what to do', () => {
    const settings = { width: 1280, height: 720, fps: 16, frameCount: 81, backgroundColor: '#2d2d2d' }
    const originalWith = (extra: Record<string, unknown>) => ({
      version: '1.0.0', meta: { name: 'x' }, mainCompositionId: 'main',
      compositions: { main: { id: 'main', name: 'Main Comp', settings, layers: [] } }, ...extra,
    })
    expect(refusal(originalWith({ version: '0.3' }))).toBe('Original Lattice project version "0.3" is not supported; only 1.x projects can be imported.')
    expect(refusal(originalWith({ version: '2.1.0', schemaVersion: 2 }))).toBe(
      'Original Lattice project version "2.1.0" is not supported; only 1.x projects can be imported.',
    )
    expect(refusal(originalWith({ schemaVersion: 3 }))).toBe(
      'This original Lattice project has "schemaVersion": 3, which the original app never wrote (it wrote 2, or nothing ' +
        'before late December 2025); save it again from an original Lattice that writes schemaVersion 2, then import that file.',
    )
    expect(refusal({ schemaVersion: 2, name: 'not a project' })).toBe(
      'That file has a schemaVersion but no compositions, so it is neither a Lattice project nor an original Lattice ' +
        'project; pick a file saved with "Export project" or a project .json saved by the original Lattice.',
    )
    expect(refusal({ nodes: [], links: [] })).toBe(
      'This file is not an original Lattice project (expected "version": "1.0.0" and "compositions"); pick the project .json file.',
    )
  })

  it('knows an original file that lost its version string by its composition settings, not as a broken document', () => {
    const raw = original('1.0.0-schema-2.json')
    delete raw.version
    expect(refusal(raw)).toBe(
      'This file is not an original Lattice project (expected "version": "1.0.0" and "compositions"); pick the project .json file.',
    )
  })
})
