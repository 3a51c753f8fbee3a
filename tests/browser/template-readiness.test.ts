import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ComfyStandIn } from '../comfy/stand-in/server'
import { DEFAULT_NODES } from '../comfy/stand-in/nodes'
import { MODELS } from '../db/generations-harness'
import { openApp, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 30_000, interval: 100 }
/** Node types the Wan templates need that this server has not installed. */
const NOT_INSTALLED = ['WanImageToVideo', 'CLIPVisionEncode', 'WanFunControlToVideo']

/** The template picker against a ComfyUI server without the Wan nodes: those templates are listed, disabled, with the reason. */
describe('the web app: templates a server cannot run', () => {
  let gpu: ComfyStandIn
  let app: BrowserApp
  let page: Page
  /** LATTICE_SCREENSHOTS keeps the screenshots for a person to look at; else they go with the temp folder. */
  const shots = () => process.env.LATTICE_SCREENSHOTS || app.files

  beforeAll(async () => {
    const nodes = Object.fromEntries(Object.entries(DEFAULT_NODES).filter(([name]) => !NOT_INSTALLED.includes(name)))
    gpu = await ComfyStandIn.start({ nodes, models: structuredClone(MODELS) })
    app = await openApp({ env: { LATTICE_COMFY_URLS: gpu.url } })
    page = app.page
    await signIn(page)
  })
  afterAll(async () => {
    await app?.dispose()
    await gpu?.stop()
  })

  it('lists the Wan templates disabled with the node types the server lacks; the others stay choosable', async () => {
    await page.goto('/generate')
    await page.getByTestId('template-picker').click()
    const wan = page.getByRole('option', { name: /Image to video \(Wan 2\.1\)/ })
    const fun = page.getByRole('option', { name: /Control video to video/ })
    const textToImage = page.getByRole('option', { name: /Text to image/ })
    await expect.poll(() => wan.getAttribute('data-disabled'), POLL).not.toBeNull()
    expect(await wan.textContent()).toContain('The ComfyUI server lacks node types "CLIPVisionEncode", "WanImageToVideo" (install the custom nodes that provide them).')
    expect(await fun.getAttribute('data-disabled')).not.toBeNull()
    expect(await fun.textContent()).toContain('"WanFunControlToVideo"')
    expect(await textToImage.getAttribute('data-disabled')).toBeNull()
    expect(await textToImage.textContent()).not.toContain('lacks')
    await page.screenshot({ path: join(shots(), 'template-picker-unrunnable.png') })

    // A disabled option cannot be picked; an enabled one can.
    await wan.click({ force: true })
    expect(await page.getByTestId('template-picker').textContent()).not.toContain('Wan')
    await textToImage.click()
    await expect.poll(() => page.getByTestId('template-picker').textContent(), POLL).toContain('Text to image')
    await page.getByTestId('param-prompt').waitFor()
  })

  it('reported no errors in the page', () => {
    expect(app.pageErrors).toEqual([])
  })
})
