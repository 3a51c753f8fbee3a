import { mountSuspended } from '@nuxt/test-utils/runtime'
import type { VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { TemplateManifestInput } from '~~/shared/comfy/manifest'
import { AppError } from '~~/shared/errors'
import GeneratePage from '~/pages/generate.vue'
import { useGenerationsStore } from '~/stores/generations'
import { templatesServer } from './support/templates-server'
import { serveTrpc } from './support/trpc-stand-in'

const to = (node: string, input: string) => [{ node, input }]

/** One parameter of every type, plus a picture input. */
const MANIFEST: TemplateManifestInput = {
  name: 'Harbour still',
  outputs: ['9'],
  inputs: [{ name: 'image', label: 'Init image', target: { node: '10', input: 'image' } }],
  parameters: [
    { name: 'prompt', label: 'Prompt', type: 'string', multiline: true, default: 'a lighthouse at dusk', targets: to('6', 'text') },
    { name: 'caption', label: 'Caption', type: 'string', maxLength: 80, targets: to('12', 'text') },
    { name: 'steps', label: 'Steps', type: 'int', default: 20, min: 1, max: 150, targets: to('3', 'steps') },
    { name: 'cfg', type: 'float', default: 7.5, min: 0, max: 30, step: 0.5, description: 'How closely to follow the prompt.', targets: to('3', 'cfg') },
    { name: 'seed', label: 'Seed', type: 'seed', targets: to('3', 'seed') },
    { name: 'tile', label: 'Tile', type: 'boolean', default: true, targets: to('3', 'tile') },
    { name: 'sampler', label: 'Sampler', type: 'choice', default: 'euler', choices: ['euler', 'dpmpp_2m'], targets: to('3', 'sampler_name') },
  ],
}

const eventually = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 })

describe('Generate form, built from a template manifest', () => {
  let server: ReturnType<typeof templatesServer>
  let stop: () => void
  let page: VueWrapper

  /** The Generate page with the template chosen, once its own loads (templates, queue) are done. */
  async function openForm(options: Parameters<typeof templatesServer>[1] = {}) {
    server = templatesServer(MANIFEST, options)
    stop = serveTrpc(server.trpc)
    await useGenerationsStore().selectTemplate(server.id)
    page = await mountSuspended(GeneratePage)
    await eventually(() => expect(page.get('[data-testid="template-picker"]').text()).toBe('Harbour still'))
  }

  const field = (name: string) => page.get(`[data-testid="param-${name}"]`)

  afterEach(() => {
    page.unmount()
    useGenerationsStore().reset()
    stop()
  })

  it('has one field per parameter, in the manifest\'s order, each the control its type calls for', async () => {
    await openForm()
    const fields = page.findAll('[data-testid^="param-"]')
    expect(fields.map((each) => [each.attributes('data-testid'), each.attributes('data-type')])).toEqual([
      ['param-prompt', 'string'], ['param-caption', 'string'], ['param-steps', 'int'], ['param-cfg', 'float'],
      ['param-seed', 'seed'], ['param-tile', 'boolean'], ['param-sampler', 'choice'],
    ])
    expect(field('prompt').find('textarea').exists()).toBe(true)
    expect(field('caption').find('textarea').exists()).toBe(false)
    expect(field('caption').get('input').attributes('type')).toBe('text')
    expect(field('steps').get('input').attributes('role')).toBe('spinbutton')
    expect(field('steps').get('input').attributes('inputmode')).toBe('numeric')
    expect(field('cfg').get('input').attributes('inputmode')).toBe('decimal')
    expect(field('seed').findAll('button').map((each) => each.attributes('aria-label'))).toContain('Pick a random seed')
    expect(field('tile').get('button').attributes('role')).toBe('switch')
    expect(field('sampler').get('button').attributes('aria-haspopup')).toBe('listbox')
  })

  it('shows each default, label (or the name when there is none), description and limits', async () => {
    await openForm()
    expect((field('prompt').get('textarea').element as HTMLTextAreaElement).value).toBe('a lighthouse at dusk')
    expect(field('prompt').get('textarea').attributes('maxlength')).toBe('10000')
    expect((field('caption').get('input').element as HTMLInputElement).value).toBe('')
    expect(field('caption').get('input').attributes('maxlength')).toBe('80')

    expect(field('steps').get('label').text()).toBe('Steps')
    expect((field('steps').get('input').element as HTMLInputElement).value).toBe('20')
    expect(field('steps').get('[data-slot="hint"]').text()).toBe('1 – 150')
    expect(field('steps').get('input').attributes()).toMatchObject({ 'aria-valuemin': '1', 'aria-valuemax': '150' })

    expect(field('cfg').get('label').text()).toBe('cfg')
    expect(field('cfg').get('[data-slot="description"]').text()).toBe('How closely to follow the prompt.')
    expect((field('cfg').get('input').element as HTMLInputElement).value).toBe('7.5')
    expect(field('cfg').get('[data-slot="hint"]').text()).toBe('0 – 30')

    expect((field('seed').get('input').element as HTMLInputElement).value).toBe('')
    expect(field('seed').get('input').attributes('placeholder')).toBe('Random')
    expect(field('seed').get('[data-slot="hint"]').text()).toBe('Empty: random')

    expect(field('tile').get('[role="switch"]').attributes('aria-checked')).toBe('true')
    expect(field('sampler').get('[data-slot="value"]').text()).toBe('euler')
  })

  it('marks a required picture input', async () => {
    await openForm()
    const input = page.get('[data-testid="input-image"]')
    expect(input.get('label').text()).toBe('Init image')
    expect(input.get('label').classes().join(' ')).toContain("after:content-['*']")
  })

  it('offers the template\'s own choices and says so when no ComfyUI server answered', async () => {
    await openForm()
    expect(page.text()).toContain('No ComfyUI server answered; choices are the template\'s own.')
    await field('sampler').get('button').trigger('click')
    await eventually(() => expect([...document.body.querySelectorAll('[role="option"]')].map((each) => each.textContent?.trim())).toEqual(['euler', 'dpmpp_2m']))
  })

  it('says above the form what the servers lack when none can run the template', async () => {
    const reason = 'The ComfyUI server lacks node types "WanImageToVideo" (install the custom nodes that provide them).'
    await openForm({ readiness: { runnable: false, missingNodes: ['WanImageToVideo'], missingModels: [], reason } })
    await eventually(() => expect(page.get('[data-testid="template-unrunnable"]').text()).toContain(reason))
  })

  it('shows no such warning when a server can run it', async () => {
    await openForm({ readiness: { runnable: true, missingNodes: [], missingModels: [] } })
    await field('prompt').get('textarea')
    expect(page.find('[data-testid="template-unrunnable"]').exists()).toBe(false)
  })

  it('offers the choices the server has when one answered', async () => {
    await openForm({ serverOptions: { sampler: ['euler', 'uni_pc', 'lcm'] } })
    expect(page.text()).not.toContain('No ComfyUI server answered')
    await field('sampler').get('button').trigger('click')
    await eventually(() => expect([...document.body.querySelectorAll('[role="option"]')].map((each) => each.textContent?.trim())).toEqual(['euler', 'uni_pc', 'lcm']))
  })

  it('keeps a number inside the parameter\'s limits', async () => {
    await openForm()
    const steps = field('steps').get('input')
    await steps.setValue('500')
    await steps.trigger('blur')
    expect(useGenerationsStore().values.steps).toBe(150)
    expect((steps.element as HTMLInputElement).value).toBe('150')
  })

  it('Generate sends what the form holds; empty text and an empty seed are left for the server to fill', async () => {
    await openForm()
    await field('prompt').get('textarea').setValue('a harbour at night')
    await field('tile').get('[role="switch"]').trigger('click')
    await page.get('[data-testid="generate-form"]').trigger('submit')
    await eventually(() => expect(server.created).toHaveLength(1))
    expect(server.created[0]!.params).toEqual({ prompt: 'a harbour at night', steps: 20, cfg: 7.5, tile: false, sampler: 'euler' })

    // A picked seed is sent; the clear button makes it random again.
    await field('seed').get('[aria-label="Pick a random seed"]').trigger('click')
    const seed = useGenerationsStore().values.seed
    expect(Number.isInteger(seed)).toBe(true)
    expect((field('seed').get('input').element as HTMLInputElement).value).toBe(String(seed))
    await page.get('[data-testid="generate-form"]').trigger('submit')
    await eventually(() => expect(server.created).toHaveLength(2))
    expect(server.created[1]!.params.seed).toBe(seed)

    await field('seed').get('[aria-label="Random seed on each run"]').trigger('click')
    await page.get('[data-testid="generate-form"]').trigger('submit')
    await eventually(() => expect(server.created).toHaveLength(3))
    expect(server.created[2]!.params).not.toHaveProperty('seed')
  })

  it('a refusal from the server is shown with its sentence', async () => {
    await openForm()
    // Toasts read the app's context (its injections): outside a component, run with it.
    const toast = await useNuxtApp().runWithContext(() => useToast())
    const sentence = 'No ComfyUI server is set up. An admin adds one in Settings → ComfyUI servers (or with LATTICE_COMFY_URLS).'
    server.refuseWith(new AppError('SERVICE_UNAVAILABLE', sentence))
    await page.get('[data-testid="generate-form"]').trigger('submit')
    await eventually(() => expect(toast.toasts.value.map((each) => [each.title, each.description])).toContainEqual(['Could not start the generation', sentence]))
    expect(useGenerationsStore().items).toHaveLength(0)
    expect(useGenerationsStore().creating).toBe(false)
  })
})
