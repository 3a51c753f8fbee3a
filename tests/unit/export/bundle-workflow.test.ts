import { describe, expect, it } from 'vitest'
import { manifestSchema } from '../../../shared/comfy/manifest'
import { bundleReadme, bundleWorkflow, modelFilesOf } from '../../../shared/export/bundle-workflow'
import { shippedTemplates } from '../comfy/fixtures'

function template(id: string) {
  const shipped = shippedTemplates().find((t) => t.id === id)!
  return { workflow: shipped.workflow, manifest: manifestSchema.parse(shipped.manifest) }
}

describe('bundleWorkflow', () => {
  it('names the exported depth picture in LoadImage and sets every parameter, given or default', () => {
    const { workflow, manifest } = template('depth-controlnet')
    const before = structuredClone(workflow)
    const bundled = bundleWorkflow(workflow, manifest, { depth: 'shot_depth_0001.png' }, { prompt: 'a lantern in fog', width: 768, seed: 7 })
    expect(bundled['10']!.inputs.image).toBe('shot_depth_0001.png')
    expect(bundled['6']!.inputs.text).toBe('a lantern in fog')
    expect(bundled['5']!.inputs).toMatchObject({ width: 768, height: 512 })
    expect(bundled['3']!.inputs).toMatchObject({ seed: 7, steps: 20, cfg: 7, sampler_name: 'euler' })
    expect(bundled['7']!.inputs.text).toBe('blurry, low quality, watermark, text')
    expect(bundled['12']!.inputs).toMatchObject({ strength: 1, image: ['10', 0] })
    expect(workflow).toEqual(before)
  })

  it('names the exported control video in LoadVideo and keeps the Wan frame count and size', () => {
    const { workflow, manifest } = template('wan-fun-control')
    const bundled = bundleWorkflow(workflow, manifest, { control_video: 'shot_depth.mp4' }, { frames: 33 })
    expect(bundled['55']!.inputs.file).toBe('shot_depth.mp4')
    expect(bundled['50']!.inputs).toMatchObject({ width: 832, height: 480, length: 33, control_video: ['56', 0] })
    expect(bundled['37']!.inputs.unet_name).toBe('wan2.1_fun_control_1.3B_bf16.safetensors')
    expect(bundled['28']!.inputs.fps).toEqual(['56', 2])
    // No seed given: a random one, exact as a JSON number.
    const seed = bundled['3']!.inputs.seed as number
    expect(Number.isSafeInteger(seed) && seed >= 0 && seed < 2 ** 48).toBe(true)
  })

  it('refuses a missing required file, a file for no input and an unknown parameter', () => {
    const { workflow, manifest } = template('wan-fun-control')
    expect(() => bundleWorkflow(workflow, manifest, {})).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', message: expect.stringContaining('Control video') }))
    expect(() => bundleWorkflow(workflow, manifest, { control_video: 'a.mp4', depth: 'b.png' })).toThrow(expect.objectContaining({ message: expect.stringContaining('"depth" is not an input') }))
    expect(() => bundleWorkflow(workflow, manifest, { control_video: 'a.mp4' }, { fps: 24 })).toThrow(expect.objectContaining({ message: expect.stringContaining('"fps" is not a parameter') }))
  })
})

describe('modelFilesOf and bundleReadme', () => {
  it('lists the models each template loads with their folders', () => {
    expect(modelFilesOf(template('wan-fun-control').workflow)).toEqual([
      { folder: 'diffusion_models', file: 'wan2.1_fun_control_1.3B_bf16.safetensors' },
      { folder: 'text_encoders', file: 'umt5_xxl_fp8_e4m3fn_scaled.safetensors' },
      { folder: 'vae', file: 'wan_2.1_vae.safetensors' },
    ])
    expect(modelFilesOf(template('depth-controlnet').workflow)).toEqual([
      { folder: 'checkpoints', file: 'sd15.safetensors' },
      { folder: 'controlnet', file: 'control_v11f1p_sd15_depth.pth' },
    ])
  })

  it('says where the files go, how to open the workflow and which models it needs', () => {
    const { workflow, manifest } = template('wan-fun-control')
    const text = bundleReadme(manifest.name, { control_video: 'shot_depth.mp4' }, { workflowFile: 'workflow.json', models: modelFilesOf(workflow) })
    expect(text).toBe([
      'Control video to video (Wan 2.1 Fun Control): a ComfyUI bundle exported by Lattice',
      '',
      "1. Copy these files into ComfyUI's input/ folder (ComfyUI/input/):",
      '   - shot_depth.mp4  (control_video)',
      '   If ComfyUI is already open, refresh it (press R) so it lists them.',
      '2. Open workflow.json in ComfyUI: Workflow → Open, or drag the file onto the canvas.',
      '3. The workflow expects these models under ComfyUI/models/:',
      '   - diffusion_models/wan2.1_fun_control_1.3B_bf16.safetensors',
      '   - text_encoders/umt5_xxl_fp8_e4m3fn_scaled.safetensors',
      '   - vae/wan_2.1_vae.safetensors',
      '   If yours have other names, pick them in the loader nodes.',
      '4. Press Run (Queue Prompt).',
      '',
    ].join('\n'))
    expect(bundleReadme('Depth ControlNet', {}, { workflowFile: 'depth.json', models: [] })).toBe('Depth ControlNet: a ComfyUI bundle exported by Lattice\n\n1. Open depth.json in ComfyUI: Workflow → Open, or drag the file onto the canvas.\n2. Press Run (Queue Prompt).\n')
  })
})
