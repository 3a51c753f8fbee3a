import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { ComfyStandIn } from '../comfy/stand-in/server'
import { MODELS } from '../db/generations-harness'
import { BOOTSTRAP_TOKEN, openApp, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 30_000, interval: 100 }

/** Whether an <img> finished loading real pixels (a broken thumbnail has naturalWidth 0). */
function imageLoaded(image: Locator): Promise<boolean> {
  return image.evaluate((element) => (element as HTMLImageElement).complete && (element as HTMLImageElement).naturalWidth > 0)
}

/** The Generate panel against a ComfyUI stand-in: template form, queue, live progress and outputs. */
describe('the web app: generate', () => {
  let gpu: ComfyStandIn
  let app: BrowserApp
  let page: Page

  beforeAll(async () => {
    gpu = await ComfyStandIn.start({ models: structuredClone(MODELS) })
    app = await openApp({ env: { LATTICE_COMFY_URLS: gpu.url } })
    page = app.page
    await signIn(page)
  })
  afterAll(async () => {
    await app?.dispose()
    await gpu?.stop()
  })

  it('generates a picture from text-to-image and shows it in the gallery', async () => {
    gpu.behave('KSampler', { delayMs: 1500, steps: 6 })
    await page.getByTestId('main-nav').getByRole('link', { name: 'Generate' }).click()
    await page.waitForURL((url) => url.pathname === '/generate')
    await page.getByTestId('generation-grid-empty').waitFor()

    await page.getByTestId('template-picker').click()
    await page.getByRole('option', { name: /Text to image/ }).click()
    const prompt = page.getByTestId('param-prompt').locator('textarea')
    await prompt.waitFor()
    // Checkpoint choices come from the server's object_info.
    expect(await page.getByTestId('param-checkpoint').textContent()).toContain('sd15.safetensors')
    await prompt.fill('a paper boat on a pond')
    await page.getByTestId('generate-submit').click()

    const card = page.getByTestId('generation-card').first()
    await card.waitFor()
    expect(await card.textContent()).toContain('a paper boat on a pond')
    // While it runs: a progress bar and the sampler's latest preview, streamed by generations.watch.
    await expect.poll(() => card.getAttribute('data-status'), POLL).toBe('running')
    await expect.poll(() => card.getByTestId('generation-preview').count(), POLL).toBe(1)
    expect(await card.getByTestId('generation-progress').count()).toBe(1)
    await expect.poll(() => card.getAttribute('data-status'), POLL).toBe('succeeded')
    const output = card.getByTestId('generation-output')
    await expect.poll(() => output.count(), POLL).toBe(1)
    await expect.poll(() => imageLoaded(output), POLL).toBe(true)

    // The outputs are assets in the library.
    const script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const id = await card.getAttribute('data-generation-id')
    const generation = await script.api.comfy.generations.get.query({ id: id! })
    expect(generation.status).toBe('succeeded')
    expect(generation.params.prompt).toBe('a paper boat on a pond')
    expect(generation.outputs).toHaveLength(1)
    const asset = await script.api.assets.get.query({ id: generation.outputs[0]! })
    expect(asset.kind).toBe('image')
    expect(await output.getAttribute('src')).toBe(`/api/assets/${asset.id}/thumbnail`)
  })

  it('adds a finished output to a project as a layer', async () => {
    const script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const project = await script.api.projects.create.mutate({ name: 'Pond storyboard', width: 1280, height: 720 })
    const card = page.locator('[data-testid="generation-card"][data-status="succeeded"]').first()
    const generation = await script.api.comfy.generations.get.query({ id: (await card.getAttribute('data-generation-id'))! })
    const assetId = generation.outputs[0]!
    const asset = await script.api.assets.get.query({ id: assetId })

    await card.getByTestId('generation-add-to-project').click()
    await page.getByRole('menuitem', { name: 'Pond storyboard' }).click()
    const open = page.getByRole('link', { name: 'Open project' })
    await open.waitFor()
    expect(await open.getAttribute('href')).toBe(`/projects/${project.id}`)

    const saved = await script.api.projects.get.query({ id: project.id })
    expect(saved.revision).toBe(2)
    const main = saved.document.compositions[saved.document.mainCompositionId]!
    expect(main.layers).toHaveLength(1)
    const layer = main.layers[0]!
    expect(layer.kind).toBe('image')
    expect(layer.kind === 'image' && layer.data.assetId).toBe(assetId)
    const { width, height } = asset.metadata as { width: number; height: number }
    expect(layer.transform.anchor.value).toEqual([width / 2, height / 2, 0])
    expect(layer.transform.position.value).toEqual([640, 360, 0])
  })

  it('lists the ComfyUI servers in Settings; an admin adds one that does not answer and removes it', async () => {
    await page.getByTestId('main-nav').getByRole('link', { name: 'Settings' }).click()
    await page.waitForURL((url) => url.pathname === '/settings')
    const section = page.getByTestId('comfy-server-section')
    // The row's own cells: `has` is matched inside each table row.
    const standIn = page.locator('[data-testid="comfy-server-row"][data-reachable="true"]')
    await section.locator(standIn).waitFor()
    const standInRow = section.getByRole('row').filter({ has: standIn })
    expect(await standInRow.getByTestId('comfy-server-gpu').textContent()).toContain('NVIDIA GeForce RTX 4090')
    expect(await standInRow.getByTestId('comfy-server-status').textContent()).toContain('Reachable')

    await section.getByTestId('comfy-server-add').click()
    await page.getByTestId('comfy-server-url').fill('http://127.0.0.1:9')
    await page.getByTestId('comfy-server-name').fill('Nobody home')
    await page.getByTestId('comfy-server-submit').click()
    const deadRow = section.getByRole('row').filter({ hasText: 'Nobody home' })
    await deadRow.waitFor()
    expect(await deadRow.getByTestId('comfy-server-status').textContent()).toContain('Unreachable')
    expect(await section.getByTestId('comfy-server-row').count()).toBe(2)

    await deadRow.getByTestId('comfy-server-remove').click()
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click()
    await expect.poll(() => section.getByTestId('comfy-server-row').count(), POLL).toBe(1)
    const script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    expect((await script.api.comfy.servers.list.query()).servers.map((server) => server.name)).not.toContain('Nobody home')
  })

  it('reported no errors in the page', () => {
    expect(app.pageErrors).toEqual([])
  })
})
