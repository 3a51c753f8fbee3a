import { describe, expect, it } from 'vitest'
import { draftManifest, literalInputs, nodeSummaries, promptSides } from '../../../shared/comfy/draft-manifest'
import { objectInfoSchema } from '../../../shared/comfy/object-info'
import { parseWorkflow, UI_FORMAT, type Workflow } from '../../../shared/comfy/workflow'
import { parseTemplate } from '../../../server/services/generations/templates'
import { node, shippedTemplates, standInObjectInfo } from './fixtures'

const objectInfo = standInObjectInfo()
const shipped = shippedTemplates()
const textToImage = shipped.find((t) => t.id === 'text-to-image')!.workflow

const targetsOf = (draft: ReturnType<typeof draftManifest>, name: string) => draft.manifest.parameters.find((p) => p.name === name)?.targets

describe('literalInputs', () => {
  it('lists constants only, never links, typed from the values without object_info', () => {
    const inputs = literalInputs(textToImage)
    expect(inputs.some((i) => i.input === 'model' || i.input === 'positive' || i.input === 'images')).toBe(false)
    const byKey = Object.fromEntries(inputs.map((i) => [`${i.node}.${i.input}`, i]))
    expect(byKey['3.seed']).toMatchObject({ type: 'seed', value: 156680208700286, classType: 'KSampler' })
    expect(byKey['3.steps']).toMatchObject({ type: 'int', value: 20 })
    // 7.0 arrives as 7 in JSON; cfg is still a float.
    expect(byKey['3.cfg']).toMatchObject({ type: 'float', value: 7 })
    expect(byKey['3.sampler_name']).toMatchObject({ type: 'choice', choicesFrom: { class_type: 'KSampler', input: 'sampler_name' } })
    expect(byKey['3.sampler_name']!.options).toBeUndefined()
    expect(byKey['6.text']).toMatchObject({ type: 'string', multiline: true, title: 'CLIP Text Encode (Prompt)' })
    expect(byKey['9.filename_prefix']).toMatchObject({ type: 'string', multiline: false })
    expect(byKey['5.batch_size']).toMatchObject({ type: 'int', value: 1 })
  })

  it('takes types, limits and combo options from object_info', () => {
    const byKey = Object.fromEntries(literalInputs(textToImage, objectInfo).map((i) => [`${i.node}.${i.input}`, i]))
    expect(byKey['3.steps']).toMatchObject({ type: 'int', min: 1, max: 10000, step: 1 })
    expect(byKey['3.cfg']).toMatchObject({ type: 'float', min: 0, max: 100, step: 0.1 })
    expect(byKey['5.width']).toMatchObject({ type: 'int', min: 16, max: 16384, step: 8 })
    expect(byKey['4.ckpt_name']).toMatchObject({ type: 'choice', choicesFrom: { class_type: 'CheckpointLoaderSimple', input: 'ckpt_name' }, options: ['sd15.safetensors', 'sdxl_base.safetensors'] })
    expect(byKey['3.scheduler']!.options).toContain('karras')
    // The seed's maximum (2^64 - 1) is beyond what a number holds exactly, so it is left out.
    expect(byKey['3.seed']).toMatchObject({ type: 'seed' })
    expect(byKey['3.seed']!.max).toBeUndefined()
  })

  it('reads v3 combos, upload combos and booleans, and skips wrapped list values', () => {
    const info = objectInfoSchema.parse({
      ...objectInfo,
      MyLoader: { input: { required: { file: ['COMBO', { options: ['a.png', 'b.png'], image_upload: true }], mode: ['COMBO', { options: ['fast', 'slow'] }], sharp: ['BOOLEAN', { default: true }], sizes: ['INT', {}] } }, output: ['IMAGE'] },
    })
    const inputs = literalInputs({ 1: node('MyLoader', { file: 'a.png', mode: 'slow', sharp: false, sizes: { __value__: [1, 2] } }) }, info)
    expect(inputs.map((i) => [i.input, i.type, i.picture])).toEqual([['file', 'string', 'image'], ['mode', 'choice', undefined], ['sharp', 'boolean', undefined]])
    expect(inputs[1]!.options).toEqual(['fast', 'slow'])
  })

  it('falls back to the value\'s type when object_info disagrees with it', () => {
    const inputs = literalInputs({ 1: node('EmptyLatentImage', { width: 'wide', height: 512.5, batch_size: 1 }) }, objectInfo)
    expect(inputs.map((i) => i.type)).toEqual(['string', 'float', 'int'])
  })
})

describe('promptSides', () => {
  it('tells the prompt from the negative by the sampler input they reach, not by their titles', () => {
    const workflow: Workflow = structuredClone(textToImage)
    workflow['6']!._meta = { title: 'Negative words' }
    workflow['7']!._meta = { title: 'Positive words' }
    const sides = promptSides(workflow)
    expect(sides.get('6')).toBe('positive')
    expect(sides.get('7')).toBe('negative')
    const swapped: Workflow = structuredClone(textToImage)
    swapped['3']!.inputs.positive = ['7', 0]
    swapped['3']!.inputs.negative = ['6', 0]
    expect(promptSides(swapped).get('7')).toBe('positive')
    expect(draftManifest(swapped).manifest.parameters.find((p) => p.name === 'prompt')?.targets).toEqual([{ node: '7', input: 'text' }])
  })

  it('follows conditioning through nodes that pass both sides on, by output name or slot', () => {
    const depth = shipped.find((t) => t.id === 'depth-controlnet')!.workflow
    expect([...promptSides(depth)].sort()).toEqual([['6', 'positive'], ['7', 'negative']])
    const renamed = { ...objectInfo, ControlNetApplyAdvanced: { ...objectInfo.ControlNetApplyAdvanced!, output_name: ['negative', 'positive'] } }
    // With object_info naming output 0 "negative", slot 0 leads to the negative text.
    expect(promptSides(depth, renamed).get('7')).toBe('positive')
  })

  it('follows combined conditioning and uses titles for encoders no sampler reaches', () => {
    const workflow: Workflow = {
      1: node('CLIPTextEncode', { text: 'a castle', clip: ['9', 1] }),
      2: node('CLIPTextEncode', { text: 'at night', clip: ['9', 1] }),
      3: node('ConditioningCombine', { conditioning_1: ['1', 0], conditioning_2: ['2', 0] }),
      4: node('CLIPTextEncode', { text: 'blurry', clip: ['9', 1] }),
      5: node('KSampler', { seed: 5, steps: 10, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, positive: ['3', 0], negative: ['4', 0], model: ['9', 0], latent_image: ['6', 0] }),
      7: node('CLIPTextEncode', { text: 'unused', clip: ['9', 1] }, 'Negative (spare)'),
      8: node('SaveImage', { images: ['5', 0], filename_prefix: 'x' }),
    }
    expect(Object.fromEntries(promptSides(workflow))).toEqual({ 1: 'positive', 2: 'positive', 4: 'negative', 7: 'negative' })
    const draft = draftManifest(workflow)
    expect(draft.manifest.parameters.filter((p) => p.type === 'string').map((p) => [p.name, p.label, p.targets])).toEqual([
      ['prompt', 'Prompt', [{ node: '1', input: 'text' }]],
      ['prompt_2', 'Prompt 2', [{ node: '2', input: 'text' }]],
      ['negative', 'Negative prompt', [{ node: '4', input: 'text' }]],
      ['negative_2', 'Negative prompt 2', [{ node: '7', input: 'text' }]],
    ])
  })
})

describe('draftManifest', () => {
  it('maps text-to-image\'s usual inputs, most used first', () => {
    const draft = draftManifest(textToImage, { name: 'Mine', objectInfo })
    expect(draft.problems).toEqual([])
    expect(draft.manifest).toMatchObject({ name: 'Mine', category: 'image', outputs: ['9'], inputs: [], timeoutSeconds: 600 })
    expect(draft.manifest.parameters.map((p) => [p.name, p.type, `${p.targets[0]!.node}.${p.targets[0]!.input}`])).toEqual([
      ['prompt', 'string', '6.text'],
      ['negative', 'string', '7.text'],
      ['checkpoint', 'choice', '4.ckpt_name'],
      ['width', 'int', '5.width'],
      ['height', 'int', '5.height'],
      ['seed', 'seed', '3.seed'],
      ['steps', 'int', '3.steps'],
      ['cfg', 'float', '3.cfg'],
      ['sampler', 'choice', '3.sampler_name'],
      ['scheduler', 'choice', '3.scheduler'],
      ['denoise', 'float', '3.denoise'],
    ])
    const prompt = draft.manifest.parameters[0]!
    expect(prompt).toMatchObject({ label: 'Prompt', default: (textToImage['6']!.inputs.text as string), multiline: true })
    expect(draft.manifest.parameters.find((p) => p.name === 'steps')).toMatchObject({ default: 20, min: 1, max: 10000 })
    expect(draft.manifest.parameters.find((p) => p.name === 'checkpoint')).toMatchObject({ default: 'sd15.safetensors', choicesFrom: { class_type: 'CheckpointLoaderSimple', input: 'ckpt_name' } })
    // A seed is random on each run unless the user fixes one.
    expect(draft.manifest.parameters.find((p) => p.name === 'seed')).not.toHaveProperty('default')
    expect(draft.nodes.find((n) => n.id === '9')).toMatchObject({ classType: 'SaveImage', output: true, known: true })
  })

  it('gives bounds the sampler needs when there is no object_info', () => {
    const draft = draftManifest(textToImage)
    expect(draft.manifest.parameters.find((p) => p.name === 'denoise')).toMatchObject({ type: 'float', min: 0, max: 1, default: 1 })
    expect(draft.manifest.parameters.find((p) => p.name === 'steps')).toMatchObject({ type: 'int', min: 1 })
    expect(draft.nodes.every((n) => n.known === undefined)).toBe(true)
  })

  it.each(shipped.map((t) => [t.id, t] as const))('drafts a manifest for the shipped %s workflow that parses, with and without object_info', (id, template) => {
    for (const info of [undefined, objectInfo]) {
      const draft = draftManifest(template.workflow, { name: id, objectInfo: info })
      expect(draft.problems).toEqual([])
      const parsed = parseTemplate('draft', false, draft.manifest, template.workflow)
      expect(parsed.manifest).toEqual(draft.manifest)
      expect(targetsOf(draft, 'prompt')).toEqual([{ node: '6', input: 'text' }])
      expect(targetsOf(draft, 'negative')).toEqual([{ node: '7', input: 'text' }])
      // Every picture and output the hand-written manifest names, the draft finds too.
      const handMade = template.manifest as { inputs: Array<{ target: unknown }>; outputs: string[] }
      expect(draft.manifest.inputs.map((i) => i.target)).toEqual(handMade.inputs.map((i) => i.target))
      expect(draft.manifest.outputs).toEqual(handMade.outputs)
    }
  })

  it('maps video latents, diffusion and ControlNet models, and picks video settings', () => {
    const wan = draftManifest(shipped.find((t) => t.id === 'image-to-video-wan')!.workflow, { objectInfo })
    expect(wan.manifest).toMatchObject({ category: 'video', timeoutSeconds: 3600, outputs: ['28'] })
    expect(targetsOf(wan, 'frames')).toEqual([{ node: '50', input: 'length' }])
    expect(wan.manifest.parameters.find((p) => p.name === 'width')).toMatchObject({ default: 832, step: 16 })
    expect(wan.manifest.parameters.find((p) => p.name === 'model')).toMatchObject({ type: 'choice', choicesFrom: { class_type: 'UNETLoader', input: 'unet_name' } })
    expect(wan.manifest.inputs).toEqual([{ name: 'image', label: 'Image', kind: 'image', required: true, target: { node: '52', input: 'image' } }])
    const depth = draftManifest(shipped.find((t) => t.id === 'depth-controlnet')!.workflow, { objectInfo })
    expect(depth.manifest.parameters.find((p) => p.name === 'controlnet')).toMatchObject({ type: 'choice', choicesFrom: { class_type: 'ControlNetLoader', input: 'control_net_name' } })
    expect(depth.manifest.inputs[0]).toMatchObject({ name: 'image', label: 'Load Image (depth)' })
  })

  it('makes one parameter of equal values in several samplers and numbers the others', () => {
    const sampler = (seed: number, steps: number, start: number) => node('KSamplerAdvanced', { add_noise: 'enable', noise_seed: seed, steps, cfg: 7, sampler_name: 'euler', scheduler: 'normal', start_at_step: start, end_at_step: 10000, return_with_leftover_noise: 'disable', model: ['1', 0], positive: ['2', 0], negative: ['3', 0], latent_image: ['4', 0] })
    const workflow: Workflow = {
      1: node('CheckpointLoaderSimple', { ckpt_name: 'sdxl_base.safetensors' }),
      2: node('CLIPTextEncode', { text: 'a fox', clip: ['1', 1] }),
      3: node('CLIPTextEncode', { text: 'ugly', clip: ['1', 1] }),
      4: node('EmptyLatentImage', { width: 1024, height: 1024, batch_size: 1 }),
      10: sampler(42, 25, 0),
      11: sampler(42, 30, 20),
      12: node('SaveImage', { images: ['11', 0], filename_prefix: 'fox' }),
    }
    const draft = draftManifest(workflow)
    expect(targetsOf(draft, 'seed')).toEqual([{ node: '10', input: 'noise_seed' }, { node: '11', input: 'noise_seed' }])
    expect(targetsOf(draft, 'steps')).toEqual([{ node: '10', input: 'steps' }])
    expect(draft.manifest.parameters.find((p) => p.name === 'steps_2')).toMatchObject({ label: 'Steps 2', default: 30, targets: [{ node: '11', input: 'steps' }] })
    expect(targetsOf(draft, 'cfg')).toHaveLength(2)
    expect(() => parseTemplate('x', false, draft.manifest, workflow)).not.toThrow()
  })

  it('finds prompts kept in their own text nodes and rgthree\'s size preset', () => {
    const workflow: Workflow = {
      1: node('CheckpointLoaderSimple', { ckpt_name: 'sdxl_base.safetensors' }),
      // Core's multiline string primitive and a pack's text node, each wired into an encoder's text.
      2: node('PrimitiveStringMultiline', { value: 'a fox in the snow' }),
      3: node('Text Multiline', { text: 'blurry, watermark' }),
      4: node('CLIPTextEncode', { text: ['2', 0], clip: ['1', 1] }),
      5: node('CLIPTextEncode', { text: ['3', 0], clip: ['1', 1] }),
      6: node('SDXL Empty Latent Image (rgthree)', { dimensions: ' 832 x 1216  (portrait)', clip_scale: 1, batch_size: 1 }),
      7: node('KSampler', { seed: 1, steps: 20, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['1', 0], positive: ['4', 0], negative: ['5', 0], latent_image: ['6', 0] }),
      8: node('SaveImage', { images: ['7', 0], filename_prefix: 'fox' }),
      // A text node that feeds no encoder stays off the form.
      9: node('PrimitiveStringMultiline', { value: 'a note to self' }),
    }
    const draft = draftManifest(workflow)
    expect(targetsOf(draft, 'prompt')).toEqual([{ node: '2', input: 'value' }])
    expect(draft.manifest.parameters.find((p) => p.name === 'prompt')).toMatchObject({ type: 'string', default: 'a fox in the snow' })
    expect(targetsOf(draft, 'negative')).toEqual([{ node: '3', input: 'text' }])
    expect(draft.manifest.parameters.find((p) => p.name === 'size')).toMatchObject({ label: 'Size', default: ' 832 x 1216  (portrait)', targets: [{ node: '6', input: 'dimensions' }] })
    expect(draft.manifest.parameters.some((p) => p.targets.some((t) => t.node === '9'))).toBe(false)
    expect(() => parseTemplate('x', false, draft.manifest, workflow)).not.toThrow()
  })

  it('drafts a Flux workflow: CLIPTextEncodeFlux\'s two prompts and its guidance, custom sampling', () => {
    // Input names as ComfyUI's own comfy_extras/nodes_flux.py and nodes_custom_sampler.py declare them.
    const workflow: Workflow = {
      1: node('UNETLoader', { unet_name: 'flux1-dev.safetensors', weight_dtype: 'default' }),
      2: node('DualCLIPLoader', { clip_name1: 't5xxl_fp16.safetensors', clip_name2: 'clip_l.safetensors', type: 'flux' }),
      3: node('CLIPTextEncodeFlux', { clip: ['2', 0], clip_l: 'a lighthouse at dusk', t5xxl: 'a lighthouse at dusk, waves, film grain', guidance: 3.5 }),
      4: node('BasicGuider', { model: ['1', 0], conditioning: ['3', 0] }),
      5: node('RandomNoise', { noise_seed: 7 }),
      6: node('KSamplerSelect', { sampler_name: 'euler' }),
      7: node('BasicScheduler', { model: ['1', 0], scheduler: 'simple', steps: 28, denoise: 1 }),
      8: node('EmptySD3LatentImage', { width: 1024, height: 768, batch_size: 1 }),
      9: node('SamplerCustomAdvanced', { noise: ['5', 0], guider: ['4', 0], sampler: ['6', 0], sigmas: ['7', 0], latent_image: ['8', 0] }),
      10: node('VAELoader', { vae_name: 'ae.safetensors' }),
      11: node('VAEDecode', { samples: ['9', 0], vae: ['10', 0] }),
      12: node('SaveImage', { images: ['11', 0], filename_prefix: 'flux' }),
    }
    const draft = draftManifest(workflow)
    const param = (name: string) => draft.manifest.parameters.find((p) => p.name === name)
    // Both encoders' texts are the prompt: the first is "Prompt", the other numbered beside it.
    const prompts = draft.manifest.parameters.filter((p) => p.name.startsWith('prompt'))
    expect(prompts.flatMap((p) => p.targets)).toEqual([{ node: '3', input: 'clip_l' }, { node: '3', input: 't5xxl' }])
    expect(param('guidance')).toMatchObject({ type: 'float', default: 3.5, targets: [{ node: '3', input: 'guidance' }] })
    expect(targetsOf(draft, 'seed')).toEqual([{ node: '5', input: 'noise_seed' }])
    expect(targetsOf(draft, 'steps')).toEqual([{ node: '7', input: 'steps' }])
    expect(targetsOf(draft, 'sampler')).toEqual([{ node: '6', input: 'sampler_name' }])
    expect(targetsOf(draft, 'width')).toEqual([{ node: '8', input: 'width' }])
    expect(targetsOf(draft, 'model')).toEqual([{ node: '1', input: 'unet_name' }])
    expect(param('negative')).toBeUndefined()
    expect(draft.manifest.outputs).toEqual(['12'])
    expect(() => parseTemplate('x', false, draft.manifest, workflow)).not.toThrow()
  })

  it('prefers saving nodes as outputs, else previews, and says when there is none', () => {
    const base: Workflow = { 1: node('EmptyImage', { width: 8, height: 8, batch_size: 1, color: 0 }) }
    const both = draftManifest({ ...base, 2: node('PreviewImage', { images: ['1', 0] }), 3: node('SaveAnimatedWEBP', { images: ['1', 0], filename_prefix: 'a', fps: 8, lossless: false, quality: 80, method: 'default' }) })
    expect(both.manifest).toMatchObject({ outputs: ['3'], category: 'video' })
    expect(both.nodes.filter((n) => n.output).map((n) => n.id)).toEqual(['2', '3'])
    expect(draftManifest({ ...base, 2: node('PreviewImage', { images: ['1', 0] }) }).manifest.outputs).toEqual(['2'])
    // A custom output node is known as one only through object_info.
    const custom = { ...base, 2: node('MySaver', { images: ['1', 0] }) }
    expect(draftManifest(custom).manifest.outputs).toEqual([])
    expect(draftManifest(custom, { objectInfo: { ...objectInfo, MySaver: { input: {}, output: [], output_node: true } } }).manifest.outputs).toEqual(['2'])
    const none = draftManifest(base)
    expect(none.problems).toEqual([expect.stringContaining('no output node')])
    expect(() => parseTemplate('x', false, none.manifest, base)).toThrow(/outputs/)
  })

  it('marks the node types a server does not have', () => {
    const workflow = { ...textToImage, 20: node('VHS_VideoCombine', { images: ['8', 0], frame_rate: 8, filename_prefix: 'v', format: 'video/h264-mp4' }) }
    const nodes = nodeSummaries(workflow, objectInfo)
    expect(nodes.filter((n) => n.known === false).map((n) => n.classType)).toEqual(['VHS_VideoCombine'])
    expect(nodes.find((n) => n.id === '20')!.output).toBe(true)
  })
})

describe('parseWorkflow', () => {
  it('accepts the API format and names the editor\'s "Save" format', () => {
    expect(parseWorkflow(textToImage).workflow).toEqual(textToImage)
    expect(parseWorkflow({ last_node_id: 9, last_link_id: 9, nodes: [{ id: 3, type: 'KSampler' }], links: [], version: 0.4 }).error).toBe(UI_FORMAT)
    expect(UI_FORMAT).toContain('Export (API)')
    expect(parseWorkflow({}).error).toContain('no nodes')
    expect(parseWorkflow([1, 2]).error).toContain('Export (API)')
    expect(parseWorkflow({ 1: { inputs: {} } }).error).toContain('API format')
  })

  it('refuses a workflow over the size limit, naming the limit', () => {
    const padding = 'x'.repeat(1024 * 1024)
    const big: Workflow = structuredClone(textToImage)
    for (let i = 0; i < 11; i++) big[`pad${i}`] = { class_type: 'Note', inputs: { text: padding } }
    expect(parseWorkflow(big).error).toMatch(/at most 10 MB/)
    delete big.pad10
    delete big.pad9
    expect(parseWorkflow(big).error).toBeUndefined()
  })
})
