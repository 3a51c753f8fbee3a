import { describe, expect, it } from 'vitest'
import { audioClips } from '../../../server/services/exports/audio-clips'
import { fileName, planExport } from '../../../server/services/exports/plan'
import { bundleInputs } from '../../../shared/export/bundle-inputs'
import { exportSettingsSchema, type ExportSettingsInput } from '../../../shared/export/options'
import { wanFit } from '../../../shared/export/wan'
import { manifestSchema } from '../../../shared/comfy/manifest'
import { createEmptyDocument, parseDocument, type LayerInput } from '../../../shared/project'

const document = (() => {
  const base = createEmptyDocument({ name: 'Plan', width: 640, height: 360, fps: 24 })
  const layers: LayerInput[] = [
    { id: 'fg', kind: 'solid', inPoint: 0, outPoint: 48, data: { color: '#ffffff', width: 100, height: 100 } } as LayerInput,
    { id: 'music', kind: 'audio', inPoint: 12, outPoint: 40, startTime: 6, data: { assetId: '00000000-0000-4000-8000-0000000000a1', volume: { value: 50 } } } as LayerInput,
    { id: 'clip', kind: 'video', inPoint: 0, outPoint: 48, data: { assetId: '00000000-0000-4000-8000-0000000000a2', playbackRate: 2 } } as LayerInput,
  ]
  return parseDocument({ ...base, compositions: { main: { ...base.compositions.main, frameCount: 48, layers } } }).document
})()
const settings = (input: Partial<ExportSettingsInput>) => exportSettingsSchema.parse({ compositionId: 'main', outputs: [{ kind: 'video', format: 'h264' }], ...input })

describe('planExport', () => {
  it('renders each source pass once, however many outputs read it', () => {
    const plan = planExport(document, settings({
      outputs: [
        { kind: 'video', format: 'h264', pass: { type: 'depth' } },
        { kind: 'sequence', format: 'png16', pass: { type: 'depth', convention: 'inverse' } },
        { kind: 'video', format: 'h264', pass: { type: 'normal' } },
        { kind: 'sequence', format: 'png', pass: { type: 'matte', layerId: 'fg' } },
        { kind: 'camera', format: 'matrices' },
      ],
    }), 'Plan')
    expect(plan.passes.map((p) => p.key)).toEqual(['depth', 'matte:fg'])
    expect(plan.outputs.map((o) => o.source)).toEqual(['depth', 'depth', 'depth', 'matte:fg', null])
    expect(plan.needsDepthRange).toBe(true)
    expect(plan).toMatchObject({ width: 640, height: 360, start: 0, end: 48, frames: 48 })
  })

  it('scales, takes ranges and refuses what cannot be made, saying what to change', () => {
    expect(planExport(document, settings({ scale: 'quarter', range: { start: 4, end: 8 } }), 'Plan')).toMatchObject({ width: 160, height: 90, frames: 4 })
    expect(() => planExport(document, settings({ range: { start: 0, end: 49 } }), 'Plan')).toThrow(/at most 48/)
    expect(() => planExport(document, settings({ scale: { width: 641, height: 360 } }), 'Plan')).toThrow(/even width and height.*642×360/)
    expect(() => planExport(document, settings({ outputs: [{ kind: 'sequence', format: 'png16' }] }), 'Plan')).toThrow(/16-bit PNG holds greyscale depth/)
    expect(() => planExport(document, settings({ outputs: [{ kind: 'video', format: 'h264', pass: { type: 'matte', layerId: 'ghost' } }] }), 'Plan')).toThrow(/"ghost"/)
    expect(() => planExport(document, settings({ compositionId: 'other' }), 'Plan')).toThrow(/no composition "other"/)
    expect(() => settings({ range: { start: 5, end: 5 } })).toThrow(/end greater than start/)
  })

  it('names files from the template, safely, telling apart formats that share an extension', () => {
    expect(fileName('{project}/{composition} {pass}', { project: '../Shot 1', composition: 'Main', pass: 'depth', format: 'h264' })).toBe('Shot_1_Main_depth')
    const plan = planExport(document, settings({ outputs: [{ kind: 'video', format: 'h264' }, { kind: 'video', format: 'h265' }, { kind: 'video', format: 'vp9' }] }), 'Plan')
    expect(plan.outputs.map((o) => o.baseName)).toEqual(['Plan_Plan_color', 'Plan_Plan_color_h265', 'Plan_Plan_color'])
  })
})

describe('audioClips', () => {
  it('places audio layers on the export timeline from their source time, leaves out stretched video sound', async () => {
    const plan = planExport(document, settings({ range: { start: 16, end: 48 } }), 'Plan')
    const { clips, skipped } = await audioClips(document.compositions.main!, plan, async (id) => ({ path: `/files/${id}`, durationSeconds: 10, hasAudio: true }))
    // In at 12, starting its source at 6: at the export's first frame (16) the source is at 10 frames.
    expect(clips).toEqual([{ path: '/files/00000000-0000-4000-8000-0000000000a1', startSeconds: 0, offsetSeconds: 10 / 24, durationSeconds: 24 / 24, volume: 0.5 }])
    expect(skipped).toEqual([expect.stringContaining('sped up')])
  })
})

describe('bundleInputs', () => {
  const manifest = manifestSchema.parse({
    name: 'T', outputs: ['9'],
    inputs: [
      { name: 'control_video', label: 'Depth video', kind: 'video', target: { node: '1', input: 'file' } },
      { name: 'start_image', kind: 'image', required: false, target: { node: '2', input: 'image' } },
    ],
  })
  it('matches inputs to outputs by kind and pass, and checks given ones', () => {
    const outputs = exportSettingsSchema.parse({ compositionId: 'main', outputs: [{ kind: 'video', format: 'gif' }, { kind: 'video', format: 'h264' }, { kind: 'video', format: 'h264', pass: { type: 'depth' } }, { kind: 'sequence', format: 'png' }] }).outputs
    expect(bundleInputs(manifest, outputs)).toEqual({ control_video: 2, start_image: 3 })
    expect(bundleInputs(manifest, outputs, { control_video: 1 })).toEqual({ control_video: 1, start_image: 3 })
    expect(() => bundleInputs(manifest, outputs, { control_video: 0 })).toThrow(/not a GIF/)
    expect(() => bundleInputs(manifest, outputs, { nope: 0 })).toThrow(/"nope" is not an input/)
    expect(() => bundleInputs(manifest, [{ kind: 'camera', format: 'matrices' }])).toThrow(/needs Depth video: add a video output of the depth pass/)
  })
})

describe('wanFit', () => {
  it('gives 4n+1 frames and sizes in multiples of 16', () => {
    expect(wanFit(100, 1280, 720)).toEqual({ frames: 97, width: 1280, height: 720 })
    expect(wanFit(81, 1000, 500)).toEqual({ frames: 81, width: 992, height: 496 })
    expect(wanFit(1, 16, 16)).toEqual({ frames: 1, width: 16, height: 16 })
  })
})
