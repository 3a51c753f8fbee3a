import { describe, expect, it } from 'vitest'
import { draftManifest } from '../../../shared/comfy/draft-manifest'
import { manifestSchema } from '../../../shared/comfy/manifest'
import { manifestFromMapping, mappingFor, type Mapping } from '../../../shared/comfy/mapping'
import { parseTemplate } from '../../../server/services/generations/templates'
import { shippedTemplates, standInObjectInfo } from './fixtures'

const objectInfo = standInObjectInfo()
const shipped = shippedTemplates()
const textToImage = shipped.find((t) => t.id === 'text-to-image')!.workflow

function draftMapping(): Mapping {
  return mappingFor(draftManifest(textToImage, { objectInfo }), draftManifest(textToImage, { name: 'Mine', objectInfo }).manifest)
}
const row = (mapping: Mapping, key: string) => mapping.parameters.find((r) => r.key === key)!

describe('the mapping table', () => {
  it('lists every constant input once, the draft\'s ones exposed, and gives back the draft unchanged', () => {
    const draft = draftManifest(textToImage, { name: 'Mine', objectInfo })
    const mapping = mappingFor(draft, draft.manifest)
    expect(mapping.parameters.map((r) => r.key)).toEqual(draft.inputs.map((i) => `${i.node}.${i.input}`))
    expect(mapping.parameters.filter((r) => r.expose)).toHaveLength(draft.manifest.parameters.length)
    expect(row(mapping, '5.batch_size')).toMatchObject({ expose: false, name: 'batch_size', label: 'Batch size', type: 'int', default: 1, min: 1, max: 4096 })
    expect(mapping.outputs).toEqual([{ node: '9', classType: 'SaveImage', title: 'Save Image', selected: true }])
    expect(manifestFromMapping(mapping)).toEqual({ manifest: draft.manifest, problems: [] })
  })

  it.each(shipped.map((t) => [t.id, t] as const))('reads the shipped %s manifest back without losing anything', (_id, template) => {
    const manifest = manifestSchema.parse(template.manifest)
    const mapping = mappingFor(draftManifest(template.workflow, { objectInfo }), manifest)
    expect(manifestFromMapping(mapping)).toEqual({ manifest, problems: [] })
  })

  it('exposes a new input, and rows sharing a name become one parameter with several targets', () => {
    const mapping = draftMapping()
    Object.assign(row(mapping, '5.batch_size'), { expose: true, name: 'images', label: 'Images', max: 4 })
    // One value for both prompts: the negative row takes the prompt's name.
    Object.assign(row(mapping, '7.text'), { name: 'prompt' })
    const { manifest, problems } = manifestFromMapping(mapping)
    expect(problems).toEqual([])
    expect(manifest!.parameters.find((p) => p.name === 'prompt')!.targets).toEqual([{ node: '6', input: 'text' }, { node: '7', input: 'text' }])
    expect(manifest!.parameters.at(-1)).toEqual({ name: 'images', label: 'Images', type: 'int', default: 1, min: 1, max: 4, step: 1, targets: [{ node: '5', input: 'batch_size' }] })
    expect(() => parseTemplate('x', false, manifest, textToImage)).not.toThrow()
  })

  it('turns an input into a choice from a fixed list', () => {
    const mapping = draftMapping()
    Object.assign(row(mapping, '9.filename_prefix'), { expose: true, name: 'folder', type: 'choice', choicesSource: 'list', choices: 'lattice/a, lattice/b,,lattice/a', default: 'lattice/b' })
    const { manifest } = manifestFromMapping(mapping)
    expect(manifest!.parameters.find((p) => p.name === 'folder')).toMatchObject({ type: 'choice', choices: ['lattice/a', 'lattice/b'], default: 'lattice/b' })
  })

  it('says what to fix, naming the row', () => {
    const mapping = draftMapping()
    Object.assign(row(mapping, '5.batch_size'), { expose: true, name: '2images' })
    Object.assign(row(mapping, '5.width'), { default: 99_999 })
    Object.assign(row(mapping, '5.height'), { min: 512, max: 64, default: 100 })
    Object.assign(row(mapping, '9.filename_prefix'), { expose: true, name: 'steps' })
    Object.assign(row(mapping, '3.sampler_name'), { choicesSource: 'list', choices: ' , ' })
    Object.assign(row(mapping, '3.seed'), { default: -1 })
    mapping.outputs[0]!.selected = false
    mapping.settings.name = '  '
    const { manifest, problems } = manifestFromMapping(mapping)
    expect(manifest).toBeNull()
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/"2images" \(node #5, batch_size\): a name is letters/),
      'Width: the default 99999 is outside 16 – 16384.',
      'Height: the minimum is above the maximum.',
      expect.stringMatching(/named "steps" with different types \(int, string\)/),
      expect.stringMatching(/^Sampler: list at least one choice/),
      expect.stringMatching(/^Seed: a fixed seed is a whole number/),
      'Pick at least one output node: its files become assets in Lattice.',
      'Give the workflow a name.',
    ]))
  })

  it('maps picture inputs and refuses a picture named like a parameter', () => {
    const workflow = shipped.find((t) => t.id === 'image-to-image')!.workflow
    const draft = draftManifest(workflow, { objectInfo })
    const mapping = mappingFor(draft, draft.manifest)
    expect(mapping.pictures).toEqual([expect.objectContaining({ key: '10.image', expose: true, name: 'image', kind: 'image', required: true })])
    expect(mapping.parameters.some((r) => r.key === '10.image')).toBe(false)
    mapping.pictures[0]!.name = 'prompt'
    expect(manifestFromMapping(mapping).problems).toEqual(['The name "prompt" is used twice; names of parameters and pictures must differ.'])
    mapping.pictures[0]!.expose = false
    expect(manifestFromMapping(mapping).manifest!.inputs).toEqual([])
  })
})
