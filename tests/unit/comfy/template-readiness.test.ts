import { describe, expect, it } from 'vitest'
import { readinessOf, lacksOn } from '../../../server/services/generations/template-readiness'
import { parseTemplate } from '../../../server/services/generations/templates'
import type { ObjectInfo } from '../../../shared/comfy/object-info'
import { shippedTemplates, standInObjectInfo } from './fixtures'

const templates = shippedTemplates().map((t) => parseTemplate(t.id, true, t.manifest, t.workflow))
/** Every model file the shipped templates load. */
const EVERY_MODEL = { checkpoints: ['sd15.safetensors', 'sdxl_base.safetensors'], controlnet: ['control_v11f1p_sd15_depth.pth'], diffusion_models: ['wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors', 'wan2.1_fun_control_1.3B_bf16.safetensors'], vae: ['wan_2.1_vae.safetensors'], text_encoders: ['umt5_xxl_fp8_e4m3fn_scaled.safetensors'], clip_vision: ['clip_vision_h.safetensors'] }
const byId = (id: string) => templates.find((t) => t.id === id)!

/** The stand-in's object_info without some node types. */
function without(info: ObjectInfo, ...classTypes: string[]): ObjectInfo {
  return Object.fromEntries(Object.entries(info).filter(([name]) => !classTypes.includes(name)))
}

describe('template readiness', () => {
  it('every shipped template runs on a server with the core nodes and their models', () => {
    const info = standInObjectInfo(EVERY_MODEL)
    for (const template of templates) expect(lacksOn(template, info), template.id).toEqual({ missingNodes: [], missingModels: [] })
    expect(readinessOf(byId('text-to-image'), [info])).toEqual({ runnable: true, missingNodes: [], missingModels: [] })
  })

  it('names the node types a server lacks, in one sentence', () => {
    const info = without(standInObjectInfo(EVERY_MODEL), 'WanImageToVideo', 'CLIPVisionEncode')
    const readiness = readinessOf(byId('image-to-video-wan'), [info])
    expect(readiness).toMatchObject({ runnable: false, missingNodes: ['CLIPVisionEncode', 'WanImageToVideo'] })
    expect(readiness!.reason).toBe('The ComfyUI server lacks node types "CLIPVisionEncode", "WanImageToVideo" (install the custom nodes that provide them).')
  })

  it('a model the form lets the user choose does not block; a fixed one does', () => {
    // The checkpoint of text-to-image is a choice parameter: another file on the server will do.
    const noCheckpoints = standInObjectInfo({ checkpoints: ['other.safetensors'], controlnet: [], diffusion_models: [] })
    expect(readinessOf(byId('text-to-image'), [noCheckpoints])).toMatchObject({ runnable: true })
    const wan = byId('image-to-video-wan')
    const fixed = Object.entries(wan.workflow).find(([, node]) => node.class_type === 'VAELoader')
    expect(fixed).toBeDefined()
    const readiness = readinessOf(wan, [noCheckpoints])
    expect(readiness?.runnable).toBe(false)
    expect(readiness?.missingModels).toContain(fixed![1].inputs.vae_name)
    expect(readiness?.reason).toContain('(put them in ComfyUI\'s models folder)')
  })

  it('runs when any one server has everything, and says nothing without a server', () => {
    const lacking = without(standInObjectInfo(), 'KSampler')
    expect(readinessOf(byId('text-to-image'), [lacking])).toMatchObject({ runnable: false, missingNodes: ['KSampler'] })
    expect(readinessOf(byId('text-to-image'), [lacking, standInObjectInfo()])).toMatchObject({ runnable: true })
    expect(readinessOf(byId('text-to-image'), [])).toBeUndefined()
  })
})
