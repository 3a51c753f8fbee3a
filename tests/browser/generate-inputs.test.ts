import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import type { HeadlessApi } from '../../renderer'
import { sizeForFrame } from '../../shared/comfy/frame-size'
import { createEmptyDocument, parseDocument, type LayerInput, type ProjectDocument } from '../../shared/project'
import { ComfyStandIn } from '../comfy/stand-in/server'
import { MODELS } from '../db/generations-harness'
import { BOOTSTRAP_TOKEN, openApp, screenshotFolder, shootBoth, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 30_000, interval: 100 }
const FRAMES = 24

/**
 * A camera looking at a far backdrop and a near block that slides from left to right over the
 * shot: in the depth pass the block is white, the backdrop black. Sizes scale with the composition.
 */
function depthScene(width: number, height: number): LayerInput[] {
  const span = { inPoint: 0, outPoint: FRAMES }
  const block = height / 3
  return [
    { id: 'cam', kind: 'camera', name: 'Camera', ...span, data: { zoom: { value: width } }, transform: { position: { value: [width / 2, height / 2, -width] } } },
    {
      id: 'block', kind: 'solid', name: 'Block', threeD: true, ...span, data: { color: '#ff8800', width: block, height: block },
      transform: {
        anchor: { value: [block / 2, block / 2, 0] },
        position: { value: [width / 4, height / 2, 0], keyframes: [{ id: 'k0', frame: 0, value: [width / 4, height / 2, 0] }, { id: 'k1', frame: FRAMES - 1, value: [(width * 3) / 4, height / 2, 0] }] },
      },
    },
    { id: 'backdrop', kind: 'solid', name: 'Backdrop', threeD: true, ...span, data: { color: '#3366aa', width, height }, transform: { anchor: { value: [width / 2, height / 2, 0] }, position: { value: [width / 2, height / 2, width] } } },
  ] as LayerInput[]
}

/** Screen x of the block's centre at `frame` (linear keyframes, on the 1:1 plane). */
const blockX = (width: number, frame: number) => width / 4 + ((width / 2) * frame) / (FRAMES - 1)

interface Pixels { width: number; height: number; data: Buffer }
const at = (picture: Pixels, x: number, y: number) => [...picture.data.subarray((Math.floor(y) * picture.width + Math.floor(x)) * 4, (Math.floor(y) * picture.width + Math.floor(x)) * 4 + 4)]

async function decodePng(bytes: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  return { width: info.width, height: info.height, data }
}

/** Picks an option of a Nuxt UI select (USelect / USelectMenu) by its visible name. */
async function choose(page: Page, select: Locator, option: string | RegExp) {
  await select.click()
  await page.getByRole('option', { name: option }).click()
}

/** Generate panel inputs from projects: a layer's asset, a frame Lattice renders, and the editor's "Send frame to Generate". */
describe('the web app: generate from projects', () => {
  let gpu: ComfyStandIn
  let app: BrowserApp
  let page: Page
  let script: ReturnType<typeof createLatticeClient>
  let projectId = ''
  let plate: { id: string; bytes: Buffer }
  let renderPage: Page

  /** What the stand-in's LoadImage node was given for a generation, and the bytes of that file. */
  async function receivedPicture(generationId: string, node: string): Promise<{ name: string; bytes: Buffer }> {
    const prompt = gpu.received.find((each) => each.promptId === generationId)!.body.prompt as Record<string, { inputs: Record<string, unknown> }>
    const name = String(prompt[node]!.inputs.image)
    return { name, bytes: await readFile(join(gpu.folders.input, name)) }
  }

  /** Presses Generate and waits for the new generation to succeed; returns it. */
  async function generateAndWait() {
    await page.locator('[data-testid="generation-grid"], [data-testid="generation-grid-empty"]').first().waitFor()
    const cardIds = () => page.getByTestId('generation-card').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-generation-id')))
    const known = new Set(await cardIds())
    await page.getByTestId('generate-submit').click()
    let id: string | null | undefined
    await expect.poll(async () => (id = (await cardIds()).find((each) => !known.has(each))), POLL).toBeTruthy()
    const card = page.locator(`[data-testid="generation-card"][data-generation-id="${id}"]`)
    await expect.poll(() => card.getAttribute('data-status'), POLL).toBe('succeeded')
    return script.api.comfy.generations.get.query({ id: id! })
  }

  /** The renderer's own answer for that frame, from the headless /render page in the same session. */
  async function rendered(document: ProjectDocument, compositionId: string, frame: number): Promise<Pixels> {
    const result = await renderPage.evaluate(
      ([doc, comp, f]) => (window as unknown as { lattice: HeadlessApi }).lattice.renderFrame(doc, comp, f, 'depth'),
      [document, compositionId, frame] as const,
    )
    return { width: result.width, height: result.height, data: Buffer.from(result.data, 'base64') }
  }

  async function openTemplate(name: RegExp) {
    await page.getByTestId('template-picker').click()
    await page.getByRole('option', { name }).click()
  }

  beforeAll(async () => {
    gpu = await ComfyStandIn.start({ models: structuredClone(MODELS) })
    app = await openApp({ env: { LATTICE_COMFY_URLS: gpu.url } })
    page = app.page
    script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })

    const plateBytes = await sharp({ create: { width: 48, height: 32, channels: 4, background: { r: 200, g: 40, b: 90, alpha: 1 } } }).png().toBuffer()
    const { asset } = await script.uploadAsset(new Uint8Array(plateBytes), { name: 'plate.png' })
    plate = { id: asset.id, bytes: plateBytes }

    const created = await script.api.projects.create.mutate({ name: 'Temple shot', width: 320, height: 192, fps: 24, frameCount: FRAMES })
    projectId = created.id
    const base = createEmptyDocument({ name: 'Temple shot', width: 320, height: 192, fps: 24, frameCount: FRAMES })
    const heroPlate = { id: 'hero', kind: 'image', name: 'Hero plate', inPoint: 0, outPoint: FRAMES, data: { assetId: plate.id } } as LayerInput
    const { document } = parseDocument({
      ...base,
      compositions: {
        main: { ...base.compositions.main, name: 'Main', layers: [heroPlate, ...depthScene(320, 192)] },
        closeup: { id: 'closeup', name: 'Close-up', width: 160, height: 96, fps: 24, frameCount: FRAMES, layers: depthScene(160, 96) },
      },
    })
    await script.api.projects.save.mutate({ id: projectId, revision: created.revision, document })

    await signIn(page)
    renderPage = await app.context.newPage()
    await renderPage.goto('/render')
    await renderPage.waitForFunction(() => (window as unknown as { lattice?: { ready?: boolean } }).lattice?.ready === true)
  })
  afterAll(async () => {
    await app?.dispose()
    await gpu?.stop()
  })

  it('fills a template input from a project\'s image layer and sends that asset\'s bytes to ComfyUI', async () => {
    await page.getByTestId('main-nav').getByRole('link', { name: 'Generate' }).click()
    await page.waitForURL((url) => url.pathname === '/generate')
    await openTemplate(/Image to image/)
    const input = page.getByTestId('input-image')
    await input.getByRole('tab', { name: 'Project layer' }).click()
    await choose(page, input.getByTestId('source-project'), 'Temple shot')

    // Only the picture layers are offered: not the camera or the solids.
    await expect.poll(() => input.getByTestId('layer-option-name').allTextContents(), POLL).toEqual(['Hero plate'])
    await input.getByTestId('layer-option').filter({ hasText: 'Hero plate' }).click()
    await expect.poll(() => input.getByTestId('input-picked').textContent(), POLL).toBe('plate.png')

    const generation = await generateAndWait()
    expect(generation.inputs).toEqual({ image: plate.id })
    const received = await receivedPicture(generation.id, '10')
    expect(received.name).toBe(`lattice/lattice-${createHash('sha256').update(plate.bytes).digest('hex').slice(0, 20)}.png`)
    expect(received.bytes.equals(plate.bytes)).toBe(true)
  })

  it('renders a composition\'s depth frame in the browser, stores it as an asset and sends it to ComfyUI', async () => {
    await openTemplate(/Depth ControlNet/)
    const input = page.getByTestId('input-depth')
    await input.getByRole('tab', { name: 'Rendered frame' }).click()
    await choose(page, input.getByTestId('source-project'), 'Temple shot')
    await choose(page, input.getByTestId('frame-composition'), 'Close-up')
    // A depth input starts on the depth pass.
    expect(await input.getByTestId('frame-pass').textContent()).toContain('Depth')
    const frame = input.getByTestId('frame-number')
    await frame.fill('12')
    await frame.press('Enter')
    await input.getByTestId('frame-preview').waitFor()

    await input.getByTestId('frame-use').click()
    const name = 'Temple shot · Close-up · frame 12 · depth.png'
    await expect.poll(() => input.getByTestId('input-picked').textContent(), POLL).toBe(name)

    const generation = await generateAndWait()
    const asset = await script.api.assets.get.query({ id: generation.inputs.depth! })
    expect(asset).toMatchObject({ name, kind: 'image', mime: 'image/png' })
    const received = await decodePng((await receivedPicture(generation.id, '10')).bytes)
    expect([received.width, received.height]).toEqual([160, 96])
    // Near is white: the block at its frame-12 place; the far backdrop and the block's frame-0 place are black.
    expect(at(received, blockX(160, 12), 48)).toEqual([255, 255, 255, 255])
    expect(at(received, blockX(160, 0), 48)).toEqual([0, 0, 0, 255])
    expect(at(received, 4, 4)).toEqual([0, 0, 0, 255])
    const { document } = await script.api.projects.get.query({ id: projectId })
    const expected = await rendered(document, 'closeup', 12)
    expect(received.data.equals(expected.data)).toBe(true)
  })

  it('sends the editor\'s current frame to Generate as depth, in the depth template\'s input', async () => {
    await page.goto(`/projects/${projectId}`)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('320×192')
    await page.getByTestId('editor-viewport').click()
    await page.keyboard.press('Shift+ArrowRight')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.getByTestId('timeline-frame').textContent(), POLL).toMatch(/^12/)
    await page.getByTestId('send-frame').click()
    await page.getByRole('menuitem', { name: 'Depth', exact: true }).click()

    await page.waitForURL((url) => url.pathname === '/generate')
    const name = 'Temple shot · Main · frame 12 · depth.png'
    const input = page.getByTestId('input-depth')
    await expect.poll(() => input.textContent(), POLL).toContain(name)
    expect(await page.getByTestId('template-picker').textContent()).toContain('Depth ControlNet')
    await expect.poll(() => input.getByTestId('input-thumbnail').count(), POLL).toBe(1)

    const generation = await generateAndWait()
    const asset = await script.api.assets.get.query({ id: generation.inputs.depth! })
    expect(asset.name).toBe(name)
    const received = await decodePng((await receivedPicture(generation.id, '10')).bytes)
    expect([received.width, received.height]).toEqual([320, 192])
    expect(at(received, blockX(320, 12), 96)).toEqual([255, 255, 255, 255])
    const { document } = await script.api.projects.get.query({ id: projectId })
    expect(received.data.equals((await rendered(document, 'main', 12)).data)).toBe(true)
  })

  it('starts the form at the composition\'s size when the editor sends a frame', async () => {
    // Another template first, so the depth template is loaded afresh with its own defaults (512×512).
    await page.goto('/generate')
    await openTemplate(/Text to image/)
    await page.getByTestId('param-width').waitFor()
    await page.goto(`/projects/${projectId}`)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('320×192')
    await page.getByTestId('send-frame').click()
    await page.getByRole('menuitem', { name: 'Depth', exact: true }).click()

    await page.waitForURL((url) => url.pathname === '/generate')
    await expect.poll(() => page.getByTestId('template-picker').textContent(), POLL).toContain('Depth ControlNet')
    await expect.poll(() => page.getByTestId('param-width').locator('input').inputValue(), POLL).toBe('320')
    expect(await page.getByTestId('param-height').locator('input').inputValue()).toBe('192')

    const generation = await generateAndWait()
    const prompt = gpu.received.find((each) => each.promptId === generation.id)!.body.prompt as Record<string, { class_type: string; inputs: Record<string, unknown> }>
    const latent = Object.values(prompt).find((node) => node.class_type === 'EmptyLatentImage')!
    expect([latent.inputs.width, latent.inputs.height]).toEqual([320, 192])
  })

  it('starts the form at the composition\'s size when a frame is rendered in the Generate panel', async () => {
    await openTemplate(/Text to image/)
    await openTemplate(/Depth ControlNet/)
    await expect.poll(() => page.getByTestId('param-width').locator('input').inputValue(), POLL).toBe('512')
    const input = page.getByTestId('input-depth')
    await input.getByRole('tab', { name: 'Rendered frame' }).click()
    await choose(page, input.getByTestId('source-project'), 'Temple shot')
    await choose(page, input.getByTestId('frame-composition'), 'Close-up')
    await input.getByTestId('frame-preview').waitFor()
    await input.getByTestId('frame-use').click()
    await expect.poll(() => input.getByTestId('input-picked').textContent(), POLL).toContain('Close-up')
    await expect.poll(() => page.getByTestId('param-width').locator('input').inputValue(), POLL).toBe('160')
    expect(await page.getByTestId('param-height').locator('input').inputValue()).toBe('96')
  })

  it('starts the form at a picture\'s size when one is picked from Assets', async () => {
    await page.goto('/generate')
    await openTemplate(/Text to image/)
    await openTemplate(/Depth ControlNet/)
    await expect.poll(() => page.getByTestId('param-width').locator('input').inputValue(), POLL).toBe('512')
    const input = page.getByTestId('input-depth')
    await input.getByRole('tab', { name: 'Assets' }).click()
    await choose(page, input.getByTestId('input-asset-select'), 'plate.png')
    // The 48×32 plate, fitted into the template's limits and step with its 3:2 shape kept.
    const template = await script.api.comfy.templates.get.query({ id: 'depth-controlnet' })
    const expected = sizeForFrame(template.parameters, { width: 48, height: 32 })
    expect(expected.width! / expected.height!).toBeCloseTo(1.5, 1)
    await expect.poll(() => page.getByTestId('param-width').locator('input').inputValue(), POLL).toBe(String(expected.width))
    expect(await page.getByTestId('param-height').locator('input').inputValue()).toBe(String(expected.height))
    await shootBoth(page, screenshotFolder(app), 'generate-size-from-picked-picture')
  })

  it('says so when a project has no image layers', async () => {
    await script.api.projects.create.mutate({ name: 'Empty shot', width: 320, height: 192 })
    await openTemplate(/Image to image/)
    const input = page.getByTestId('input-image')
    await input.getByRole('tab', { name: 'Project layer' }).click()
    await choose(page, input.getByTestId('source-project'), 'Empty shot')
    await expect.poll(() => input.getByTestId('layer-source-empty').textContent(), POLL).toContain('“Empty shot” has no image layers.')
  })

  it('tells why when the rendered frame cannot be stored, and leaves the input empty', async () => {
    await openTemplate(/Depth ControlNet/)
    const input = page.getByTestId('input-depth')
    await input.getByRole('tab', { name: 'Rendered frame' }).click()
    await choose(page, input.getByTestId('source-project'), 'Temple shot')
    await input.getByTestId('frame-preview').waitFor()
    // The server refuses the upload as it does over LATTICE_MAX_UPLOAD_MB.
    const refusal = { message: 'The file is 2 MB; uploads are limited to 1 MB (LATTICE_MAX_UPLOAD_MB).', data: { code: 'PAYLOAD_TOO_LARGE' } }
    await page.route('**/api/assets/upload**', (route) => route.fulfill({ status: 413, contentType: 'application/json', body: JSON.stringify(refusal) }))
    try {
      await input.getByTestId('frame-use').click()
      await expect.poll(() => input.getByTestId('frame-use-error').textContent(), POLL).toBe(`The rendered frame could not be stored: ${refusal.message}`)
      expect(await input.getByTestId('input-picked').textContent()).toContain('Nothing picked yet')
    } finally {
      await page.unroute('**/api/assets/upload**')
    }
  })

  it('reported no errors in the page', () => {
    expect(app.pageErrors).toEqual([])
  })
})
