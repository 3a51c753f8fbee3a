import { describe, expect, it } from 'vitest'
import { chooseFrameInput, fitWithin, frameAssetName, framePassOptions, preferredPass, type TemplateInputs } from '../../../shared/comfy/frame-inputs'
import { LIMITS } from '../../../shared/limits'

const T2I: TemplateInputs = { id: 'text-to-image', inputs: [] }
const I2I: TemplateInputs = { id: 'image-to-image', inputs: [{ name: 'image', label: 'Source image', kind: 'image' }] }
const WAN: TemplateInputs = { id: 'image-to-video-wan', inputs: [{ name: 'start_image', label: 'Start frame', kind: 'image' }] }
const DEPTH: TemplateInputs = { id: 'depth-controlnet', inputs: [{ name: 'depth', label: 'Depth image', kind: 'image' }] }
const INPAINT: TemplateInputs = { id: 'inpaint', inputs: [{ name: 'image', kind: 'image' }, { name: 'mask', label: 'Mask', kind: 'image' }] }
const CLIP: TemplateInputs = { id: 'restyle', inputs: [{ name: 'clip', kind: 'video' }] }
const ALL = [T2I, I2I, WAN, DEPTH, INPAINT]

describe('frameAssetName', () => {
  it('names project, composition, frame and pass', () => {
    expect(frameAssetName('Temple', 'Main', 12, { type: 'depth' })).toBe('Temple · Main · frame 12 · depth.png')
    expect(frameAssetName('Temple', 'Main', 0, { type: 'color' })).toBe('Temple · Main · frame 0 · colour.png')
    expect(frameAssetName('Temple', 'Main', 3, { type: 'matte', layerId: 'l1', layerName: 'Hero' })).toBe('Temple · Main · frame 3 · matte of Hero.png')
  })

  it('keeps names without folders, within the limit, ending in .png', () => {
    expect(frameAssetName('a/b\\c', '  Shot\n1 ', 5, { type: 'color' })).toBe('a-b-c · Shot 1 · frame 5 · colour.png')
    const long = frameAssetName('p'.repeat(300), 'c'.repeat(300), 99999, { type: 'matte', layerId: 'x', layerName: 'l'.repeat(300) })
    expect(long.length).toBeLessThanOrEqual(LIMITS.maxAssetNameLength)
    expect(long.endsWith('.png')).toBe(true)
    expect(frameAssetName('', '', 1, { type: 'depth' })).toBe('Untitled · Untitled · frame 1 · depth.png')
  })

  it('keeps the frame and the pass when long names are shortened, so renders of one shot differ', () => {
    const project = 'A project with a very long name '.repeat(4)
    const composition = 'Main composition with an equally long name '.repeat(4)
    const matte = { type: 'matte', layerId: 'x', layerName: 'l'.repeat(300) } as const
    const names = [
      frameAssetName(project, composition, 99999, matte),
      frameAssetName(project, composition, 99998, matte),
      frameAssetName(project, composition, 99999, { type: 'depth' }),
      frameAssetName(project, composition, 99999, { type: 'color' }),
    ]
    expect(new Set(names).size).toBe(names.length)
    for (const name of names) expect(name.length).toBeLessThanOrEqual(LIMITS.maxAssetNameLength)
    expect(names[0]).toMatch(/^A project with a very long name .*… · Main composition .*… · frame 99999 · matte of l+….png$/)
    expect(names[2]).toMatch(/ · frame 99999 · depth\.png$/)
  })
})

describe('chooseFrameInput', () => {
  it('sends depth to a depth input, switching template when the current one has none', () => {
    expect(chooseFrameInput(ALL, T2I, 'depth')).toEqual({ templateId: 'depth-controlnet', inputName: 'depth' })
    expect(chooseFrameInput(ALL, I2I, 'depth')).toEqual({ templateId: 'depth-controlnet', inputName: 'depth' })
    expect(chooseFrameInput(ALL, null, 'depth')).toEqual({ templateId: 'depth-controlnet', inputName: 'depth' })
  })

  it('sends colour to the current template when it takes a picture, else to the first that does', () => {
    expect(chooseFrameInput(ALL, WAN, 'color')).toEqual({ templateId: 'image-to-video-wan', inputName: 'start_image' })
    expect(chooseFrameInput(ALL, T2I, 'color')).toEqual({ templateId: 'image-to-image', inputName: 'image' })
    expect(chooseFrameInput(ALL, DEPTH, 'color')).toEqual({ templateId: 'image-to-image', inputName: 'image' })
  })

  it('sends a matte to a mask input', () => {
    expect(chooseFrameInput(ALL, I2I, 'matte')).toEqual({ templateId: 'inpaint', inputName: 'mask' })
  })

  it('falls back to the current template\'s first picture, or nothing when no template takes one', () => {
    expect(chooseFrameInput([T2I, I2I], I2I, 'matte')).toEqual({ templateId: 'image-to-image', inputName: 'image' })
    expect(chooseFrameInput([T2I, I2I], null, 'matte')).toBeNull()
    expect(chooseFrameInput([T2I, CLIP], CLIP, 'color')).toBeNull()
  })
})

describe('preferredPass', () => {
  it('is depth for depth inputs, colour otherwise', () => {
    expect(preferredPass(DEPTH.inputs[0]!)).toBe('depth')
    expect(preferredPass({ name: 'control', label: 'Depth map', kind: 'image' })).toBe('depth')
    expect(preferredPass(I2I.inputs[0]!)).toBe('color')
  })
})

describe('framePassOptions', () => {
  it('offers colour, depth and the matte of each layer that draws', () => {
    const options = framePassOptions([
      { id: 'cam', name: 'Camera', kind: 'camera' },
      { id: 'hero', name: 'Hero', kind: 'image' },
      { id: 'n', name: 'Null', kind: 'null' },
      { id: 't', name: 'Title', kind: 'text' },
      { id: 'a', name: 'Music', kind: 'audio' },
    ])
    expect(options.map((o) => o.value)).toEqual(['color', 'depth', 'matte:hero', 'matte:t'])
    expect(options[2]).toEqual({ label: 'Matte of Hero', value: 'matte:hero', pass: { type: 'matte', layerId: 'hero', layerName: 'Hero' } })
  })
})

describe('fitWithin', () => {
  it('scales down to fit, keeps the aspect, never enlarges', () => {
    expect(fitWithin(1280, 720, 320)).toEqual({ width: 320, height: 180 })
    expect(fitWithin(720, 1280, 320)).toEqual({ width: 180, height: 320 })
    expect(fitWithin(64, 32, 320)).toEqual({ width: 64, height: 32 })
    expect(fitWithin(8192, 8, 320)).toEqual({ width: 320, height: 1 })
  })
})
