import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import type { Workflow } from '../../shared/comfy/workflow'
import { ComfyStandIn } from '../comfy/stand-in/server'
import { MODELS } from '../db/generations-harness'
import textToImage from '../../workflows/text-to-image/workflow.json'
import { BOOTSTRAP_TOKEN, openApp, screenshotFolder, shootBoth, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 30_000, interval: 100 }

/** Uploading an API-format workflow on the Generate page, mapping its inputs, and running it on a ComfyUI stand-in. */
describe('the web app: upload a ComfyUI workflow', () => {
  let gpu: ComfyStandIn
  let app: BrowserApp
  let page: Page
  const dialog = () => page.getByTestId('workflow-dialog')
  const row = (key: string): Locator => page.getByTestId(`workflow-row-${key}`)

  async function chooseFile(name: string, content: unknown): Promise<void> {
    const path = join(app.files, name)
    await writeFile(path, JSON.stringify(content, null, 2))
    await page.getByTestId('workflow-file').setInputFiles(path)
  }

  /** Types into a number field and leaves it, which is when the field takes the value. */
  async function fillNumber(field: Locator, value: number): Promise<void> {
    await field.fill(String(value))
    await field.press('Tab')
  }

  beforeAll(async () => {
    gpu = await ComfyStandIn.start({ models: structuredClone(MODELS) })
    app = await openApp({ env: { LATTICE_COMFY_URLS: gpu.url } })
    page = app.page
    await signIn(page)
    await page.getByTestId('main-nav').getByRole('link', { name: 'Generate' }).click()
    await page.waitForURL((url) => url.pathname === '/generate')
  })
  afterAll(async () => {
    await app?.dispose()
    await gpu?.stop()
  })

  it('says when the file is ComfyUI\'s "Save" format rather than "Export (API)"', async () => {
    await page.getByTestId('workflow-upload').click()
    await dialog().waitFor()
    await chooseFile('saved-from-editor.json', { last_node_id: 9, last_link_id: 9, nodes: [{ id: 3, type: 'KSampler' }], links: [], version: 0.4 })
    const error = page.getByTestId('workflow-error')
    await error.waitFor()
    expect(await error.textContent()).toMatch(/"Save".*Workflow → Export \(API\)/)
    expect(await page.getByTestId('workflow-save').isDisabled()).toBe(true)
  })

  it('maps an uploaded workflow\'s inputs, picks it in the form, and generates with the mapped values', async () => {
    await chooseFile('lantern_flow.json', textToImage)
    await row('6.text').waitFor()
    expect(await page.getByTestId('workflow-error').count()).toBe(0)
    expect(await page.getByTestId('workflow-name').inputValue()).toBe('lantern flow')
    // The draft maps the prompt, the negative prompt (by the sampler input they reach) and the sampler's settings.
    expect(await row('6.text').getAttribute('data-exposed')).toBe('true')
    expect(await row('6.text').getByTestId('name').inputValue()).toBe('prompt')
    expect(await row('7.text').getByTestId('name').inputValue()).toBe('negative')
    expect(await row('3.steps').getAttribute('data-exposed')).toBe('true')
    expect(await row('5.batch_size').getAttribute('data-exposed')).toBe('false')
    expect(await page.getByTestId('workflow-output-9').getAttribute('aria-checked')).toBe('true')
    await shootBoth(page, screenshotFolder(app), 'workflow-draft')

    await page.getByTestId('workflow-name').fill('Lantern flow')
    const batch = row('5.batch_size')
    await batch.getByRole('checkbox').click()
    await batch.getByTestId('name').fill('2images')
    await batch.getByTestId('label').fill('Images')
    await fillNumber(batch.getByTestId('max'), 4)
    // Steps is left to the workflow's own value.
    await row('3.steps').getByRole('checkbox').click()

    // A name that is not an identifier is refused by the form before anything is sent.
    await page.getByTestId('workflow-save').click()
    await page.getByTestId('workflow-error').waitFor()
    expect(await page.getByTestId('workflow-error').textContent()).toContain('"2images" (node #5, batch_size): a name is letters, digits and _')
    await batch.getByTestId('name').fill('images')
    // Editing the table clears what it said about the table as it was.
    await expect.poll(() => page.getByTestId('workflow-error').count(), POLL).toBe(0)
    await page.getByTestId('workflow-save').click()
    await dialog().waitFor({ state: 'detached' })

    // Saved, picked in the template picker, and the form is the mapping.
    await expect.poll(() => page.getByTestId('template-picker').textContent(), POLL).toContain('Lantern flow')
    const images = page.getByTestId('param-images')
    await images.waitFor()
    expect(await images.textContent()).toContain('Images')
    expect(await page.getByTestId('param-steps').count()).toBe(0)
    expect(await page.getByTestId('param-checkpoint').textContent()).toContain('sd15.safetensors')
    await page.getByTestId('param-prompt').locator('textarea').fill('a lantern in fog')
    await fillNumber(images.locator('input'), 2)
    await page.getByTestId('generate-submit').click()

    const card = page.getByTestId('generation-card').first()
    await card.waitFor()
    await expect.poll(() => card.getAttribute('data-status'), POLL).toBe('succeeded')
    await expect.poll(() => card.getByTestId('generation-output').count(), POLL).toBe(2)
    const id = await card.getAttribute('data-generation-id')
    const sent = gpu.received.find((r) => r.promptId === id)!.body.prompt as Workflow
    expect(sent['6']!.inputs.text).toBe('a lantern in fog')
    expect(sent['5']!.inputs.batch_size).toBe(2)
    expect(sent['3']!.inputs.steps).toBe((textToImage as Workflow)['3']!.inputs.steps)
  })

  it('re-maps the uploaded workflow, then deletes it after asking', async () => {
    await page.getByTestId('workflow-edit').click()
    const batch = row('5.batch_size')
    await batch.waitFor()
    expect(await batch.getAttribute('data-exposed')).toBe('true')
    expect(await batch.getByTestId('name').inputValue()).toBe('images')
    await batch.getByTestId('label').fill('Pictures')
    await page.getByTestId('workflow-save').click()
    await dialog().waitFor({ state: 'detached' })
    await expect.poll(() => page.getByTestId('param-images').textContent(), POLL).toContain('Pictures')

    const script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const before = (await script.api.comfy.templates.list.query()).filter((t) => t.mine)
    expect(before.map((t) => t.name)).toEqual(['Lantern flow'])

    await page.getByTestId('workflow-delete').click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => page.getByTestId('template-picker').textContent(), POLL).not.toContain('Lantern flow')
    expect(await page.getByTestId('param-images').count()).toBe(0)
    expect((await script.api.comfy.templates.list.query()).some((t) => t.mine)).toBe(false)
    await page.getByTestId('template-picker').click()
    expect(await page.getByRole('option', { name: /Lantern flow/ }).count()).toBe(0)
    await page.keyboard.press('Escape')
  })

  it('reported no errors in the page', () => {
    expect(app.pageErrors).toEqual([])
  })
})
