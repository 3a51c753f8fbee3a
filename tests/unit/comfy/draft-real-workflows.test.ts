import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { draftManifest, type WorkflowDraft } from '../../../shared/comfy/draft-manifest'
import { parseWorkflow, type Workflow } from '../../../shared/comfy/workflow'
import { node } from './fixtures'

/** Workflows exported from ComfyUI by other projects (sources in tests/fixtures/comfy-workflows/README.md). */
function exported(file: string): WorkflowDraft {
  const { workflow, error } = parseWorkflow(JSON.parse(readFileSync(new URL(`../../fixtures/comfy-workflows/${file}`, import.meta.url), 'utf8')))
  if (!workflow) throw new Error(error)
  return draftManifest(workflow)
}

/** Each parameter the draft made, as `name → ["node.input", …]`. */
function fields(draft: WorkflowDraft): Record<string, string[]> {
  return Object.fromEntries(draft.manifest.parameters.map((p) => [p.name, p.targets.map((t) => `${t.node}.${t.input}`)]))
}

describe('drafting a form from workflows people export', () => {
  it('SDXL with CLIPTextEncodeSDXL: one prompt and one negative fill both text_g and text_l; the picture to start from is asked for', () => {
    const draft = exported('sdxl-img2img.json')
    expect(fields(draft)).toMatchObject({
      prompt: ['16.text_g', '16.text_l'], negative: ['19.text_g', '19.text_l'], checkpoint: ['14.ckpt_name'],
      seed: ['36.seed'], steps: ['36.steps'], cfg: ['36.cfg'], denoise: ['36.denoise'],
    })
    expect(draft.manifest.inputs).toEqual([expect.objectContaining({ name: 'image', kind: 'image', target: { node: '38', input: 'image' } })])
    expect(draft.manifest.outputs).toEqual(['9'])
  })

  it('SDXL base and refiner: both samplers share steps, cfg and the prompt; each model is a choice', () => {
    const f = fields(exported('sdxl-refiner.json'))
    expect(f).toMatchObject({ prompt: ['6.text', '15.text'], negative: ['7.text', '16.text'], checkpoint: ['4.ckpt_name'], checkpoint_2: ['12.ckpt_name'], width: ['5.width'], height: ['5.height'], steps: ['10.steps', '11.steps'], cfg: ['10.cfg', '11.cfg'], seed: ['10.noise_seed'] })
  })

  it('LTXV text to video with SamplerCustom: seed and cfg on the sampler, steps on LTXVScheduler, size and length on the latent', () => {
    const draft = exported('ltxv-text-to-video.json')
    expect(fields(draft)).toMatchObject({
      prompt: ['6.text'], negative: ['7.text'], checkpoint: ['44.ckpt_name'],
      width: ['70.width'], height: ['70.height'], frames: ['70.length'],
      seed: ['72.noise_seed'], steps: ['71.steps'], cfg: ['72.cfg'], sampler: ['73.sampler_name'],
    })
    expect(draft.manifest).toMatchObject({ category: 'video', outputs: ['41'] })
  })

  it('LTXV image to video: size and length on LTXVImgToVideo, and the first frame as a picture', () => {
    const draft = exported('ltxv-image-to-video.json')
    expect(fields(draft)).toMatchObject({ prompt: ['6.text'], negative: ['7.text'], width: ['77.width'], height: ['77.height'], frames: ['77.length'], seed: ['72.noise_seed'], steps: ['71.steps'], cfg: ['72.cfg'] })
    expect(draft.manifest.inputs).toEqual([expect.objectContaining({ kind: 'image', target: { node: '78', input: 'image' } })])
  })

  it('Hunyuan video with SamplerCustomAdvanced: RandomNoise seed, BasicScheduler steps, the prompt behind BasicGuider, Flux guidance', () => {
    const draft = exported('hunyuan-video-text-to-video.json')
    expect(fields(draft)).toMatchObject({
      prompt: ['44.text'], model: ['12.unet_name'], width: ['45.width'], height: ['45.height'], frames: ['45.length'],
      seed: ['25.noise_seed'], steps: ['17.steps'], guidance: ['26.guidance'], sampler: ['16.sampler_name'], scheduler: ['17.scheduler'],
    })
    expect(draft.manifest).toMatchObject({ category: 'video', outputs: ['75'] })
  })
})

describe('drafting from node types no fixture above exports', () => {
  // Built from the input names of ComfyUI-GGUF's UnetLoaderGGUF and ComfyUI's CFGGuider and WanImageToVideo.
  const workflow: Workflow = {
    1: node('UnetLoaderGGUF', { unet_name: 'wan2.1-i2v-14b-480p-Q4_K_M.gguf' }),
    2: node('CLIPLoader', { clip_name: 'umt5_xxl_fp8_e4m3fn_scaled.safetensors', type: 'wan' }),
    3: node('CLIPTextEncode', { text: 'a cat walks on the grass', clip: ['2', 0] }),
    4: node('CLIPTextEncode', { text: 'blurry', clip: ['2', 0] }),
    5: node('LoadImage', { image: 'start.png' }),
    6: node('WanImageToVideo', { width: 832, height: 480, length: 81, batch_size: 1, positive: ['3', 0], negative: ['4', 0], vae: ['9', 0], start_image: ['5', 0] }),
    7: node('CFGGuider', { cfg: 6, model: ['1', 0], positive: ['6', 0], negative: ['6', 1] }),
    8: node('SamplerCustomAdvanced', { noise: ['10', 0], guider: ['7', 0], sampler: ['11', 0], sigmas: ['12', 0], latent_image: ['6', 2] }),
    9: node('VAELoader', { vae_name: 'wan_2.1_vae.safetensors' }),
    10: node('RandomNoise', { noise_seed: 42 }),
    11: node('KSamplerSelect', { sampler_name: 'uni_pc' }),
    12: node('BasicScheduler', { scheduler: 'simple', steps: 30, denoise: 1, model: ['1', 0] }),
    13: node('VAEDecode', { samples: ['8', 0], vae: ['9', 0] }),
    14: node('SaveAnimatedWEBP', { filename_prefix: 'wan', fps: 16, lossless: false, quality: 90, method: 'default', images: ['13', 0] }),
  }

  it('a GGUF model, cfg on CFGGuider and the prompts through WanImageToVideo', () => {
    const draft = draftManifest(workflow)
    expect(fields(draft)).toMatchObject({
      prompt: ['3.text'], negative: ['4.text'], model: ['1.unet_name'], width: ['6.width'], height: ['6.height'], frames: ['6.length'],
      seed: ['10.noise_seed'], steps: ['12.steps'], cfg: ['7.cfg'], sampler: ['11.sampler_name'],
    })
    expect(draft.manifest.parameters.find((p) => p.name === 'model')).toMatchObject({ type: 'choice', choicesFrom: { class_type: 'UnetLoaderGGUF', input: 'unet_name' } })
    expect(draft.manifest).toMatchObject({ category: 'video', outputs: ['14'], inputs: [expect.objectContaining({ kind: 'image', target: { node: '5', input: 'image' } })] })
  })
})

describe('drafting node packs\' samplers and loaders', () => {
  // Built from the input names the efficiency nodes, Inspire and rgthree packs declare.
  it('the efficiency pack: prompts, checkpoint and size on Efficient Loader, settings on KSampler (Efficient)', () => {
    const workflow: Workflow = {
      1: node('Efficient Loader', {
        ckpt_name: 'sd_xl_base_1.0.safetensors', vae_name: 'Baked VAE', clip_skip: -1, lora_name: 'None', lora_model_strength: 1, lora_clip_strength: 1,
        positive: 'a lighthouse at dusk', negative: 'blurry', token_normalization: 'none', weight_interpretation: 'comfy', empty_latent_width: 1024, empty_latent_height: 768, batch_size: 1,
      }),
      2: node('KSampler (Efficient)', {
        seed: 7, steps: 25, cfg: 6.5, sampler_name: 'euler', scheduler: 'normal', denoise: 1, preview_method: 'auto', vae_decode: 'true',
        model: ['1', 0], positive: ['1', 1], negative: ['1', 2], latent_image: ['1', 3], optional_vae: ['1', 4],
      }),
      3: node('SaveImage', { filename_prefix: 'eff', images: ['2', 5] }),
    }
    const draft = draftManifest(workflow)
    expect(fields(draft)).toMatchObject({
      prompt: ['1.positive'], negative: ['1.negative'], checkpoint: ['1.ckpt_name'], width: ['1.empty_latent_width'], height: ['1.empty_latent_height'],
      seed: ['2.seed'], steps: ['2.steps'], cfg: ['2.cfg'],
    })
    expect(draft.manifest.outputs).toEqual(['3'])
  })

  it('Inspire\'s KSampler with its seed on an rgthree seed node and Flux guidance before it', () => {
    const workflow: Workflow = {
      1: node('UNETLoader', { unet_name: 'flux1-dev-fp8.safetensors', weight_dtype: 'fp8_e4m3fn' }),
      2: node('DualCLIPLoader', { clip_name1: 't5xxl_fp8.safetensors', clip_name2: 'clip_l.safetensors', type: 'flux' }),
      3: node('CLIPTextEncode', { text: 'a forest spirit', clip: ['2', 0] }),
      4: node('FluxGuidance', { guidance: 3.5, conditioning: ['3', 0] }),
      5: node('CLIPTextEncode', { text: '', clip: ['2', 0] }),
      6: node('EmptySD3LatentImage', { width: 1024, height: 1024, batch_size: 1 }),
      7: node('Seed (rgthree)', { seed: -1 }),
      8: node('KSampler //Inspire', {
        seed: ['7', 0], steps: 20, cfg: 1, sampler_name: 'deis', scheduler: 'karras', denoise: 1, noise_mode: 'GPU(=A1111)', batch_seed_mode: 'incremental',
        variation_seed: 0, variation_strength: 0, variation_method: 'linear', internal_seed: 0, model: ['1', 0], positive: ['4', 0], negative: ['5', 0], latent_image: ['6', 0],
      }),
      9: node('VAELoader', { vae_name: 'ae.safetensors' }),
      10: node('VAEDecode', { samples: ['8', 0], vae: ['9', 0] }),
      11: node('SaveImage', { filename_prefix: 'inspire', images: ['10', 0] }),
    }
    expect(fields(draftManifest(workflow))).toMatchObject({ prompt: ['3.text'], model: ['1.unet_name'], seed: ['7.seed'], steps: ['8.steps'], cfg: ['8.cfg'], sampler: ['8.sampler_name'], guidance: ['4.guidance'] })
  })
})
