import { describe, expect, it } from 'vitest'
import { sizeForFrame } from '../../../shared/comfy/frame-size'
import type { TemplateParameter } from '../../../shared/comfy/manifest'
import { parseTemplate } from '../../../server/services/generations/templates'
import { shippedTemplates } from './fixtures'

const side = (name: string, limits: { min?: number; max?: number; step?: number }): TemplateParameter => ({ name, label: name, type: 'int', default: 512, targets: [{ node: '1', input: name }], ...limits })
const wan = (() => { const t = shippedTemplates().find((s) => s.id === 'image-to-video-wan')!; return parseTemplate(t.id, true, t.manifest, t.workflow).manifest.parameters })()

describe('sizeForFrame', () => {
  it('takes the composition\'s size, each side on the template\'s step', () => {
    // The Wan template allows 64..4096 in steps of 16: 1080 is not a multiple of 16.
    expect(sizeForFrame(wan, { width: 1920, height: 1080 })).toEqual({ width: 1920, height: 1088 })
    expect(sizeForFrame(wan, { width: 1280, height: 720 })).toEqual({ width: 1280, height: 720 })
  })

  it('scales a frame beyond the limits down, keeping its shape', () => {
    const limits = [side('width', { min: 64, max: 2048, step: 8 }), side('height', { min: 64, max: 2048, step: 8 })]
    expect(sizeForFrame(limits, { width: 4096, height: 2160 })).toEqual({ width: 2048, height: 1080 })
  })

  it('scales a tiny frame up to the minimum, keeping its shape', () => {
    const limits = [side('width', { min: 256, max: 4096, step: 8 }), side('height', { min: 256, max: 4096, step: 8 })]
    expect(sizeForFrame(limits, { width: 200, height: 100 })).toEqual({ width: 512, height: 256 })
  })

  it('leaves templates without an integer width and height alone', () => {
    expect(sizeForFrame([side('width', { step: 8 })], { width: 640, height: 360 })).toEqual({})
    expect(sizeForFrame([], { width: 640, height: 360 })).toEqual({})
  })
})
