import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { addAssetLayer } from '../../shared/editor/ops'
import type { Layer, ProjectDocument } from '../../shared/project'
import { writeIsnetSmall } from '../support/isnet'
import { writeTaskModel } from '../support/task-graphs'
import { BOOTSTRAP_TOKEN, openApp, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 20_000, interval: 150 }
/** ISNet at 1024×1024 on a shared CPU core or two, the first run including its load. */
const TASK_POLL = { timeout: 120_000, interval: 250 }
const SHOTS = '/tmp/lattice-ai-ui'

/** A 480×320 picture: a shaded orange ball in front of a grey-blue gradient. */
async function subjectPicture(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320">
  <defs><radialGradient id="g" cx="40%" cy="35%" r="65%"><stop offset="0" stop-color="#ffb070"/><stop offset="1" stop-color="#c04010"/></radialGradient>
  <linearGradient id="b" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#cfe0f0"/><stop offset="1" stop-color="#8fa0b0"/></linearGradient></defs>
  <rect width="100%" height="100%" fill="url(#b)"/>
  <circle cx="240" cy="170" r="100" fill="url(#g)"/>
</svg>`
  return sharp(Buffer.from(svg)).png().toBuffer()
}

/** Settings → Models, the layer AI actions, the segment tool, with real models (ISNet) and stand-ins with real tensor names. */
describe('AI in the web app', () => {
  let app: BrowserApp
  let page: Page
  let script: ReturnType<typeof createLatticeClient>
  let root = ''
  let projectId = ''
  let imageAssetId = ''
  let imageLayerId = ''

  const storedLayers = async (): Promise<Layer[]> => {
    const { document } = (await script.api.projects.get.query({ id: projectId })) as { document: ProjectDocument }
    return document.compositions[document.mainCompositionId]!.layers
  }
  const saveState = () => page.getByTestId('editor-save-state').getAttribute('data-state')
  async function savedLayers(): Promise<Layer[]> {
    await expect.poll(saveState, POLL).toBe('saved')
    return storedLayers()
  }
  const shot = async (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) })

  /** The viewport's pixel at composition point (x, y), read from a screenshot of the canvas. */
  async function viewportPixel(x: number, y: number): Promise<[number, number, number]> {
    const canvas = page.getByTestId('viewport-canvas')
    const scale = Number(await page.getByTestId('viewport-frame').getAttribute('data-scale'))
    const png = await canvas.screenshot()
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true })
    const px = Math.min(info.width - 1, Math.round(x * scale))
    const py = Math.min(info.height - 1, Math.round(y * scale))
    const i = (py * info.width + px) * 3
    return [data[i]!, data[i + 1]!, data[i + 2]!]
  }

  async function selectLayer(id: string) {
    await page.getByTestId('left-tab-layers').click()
    await page.locator(`[data-testid="layer-row"][data-layer-id="${id}"]`).click()
  }

  async function runLayerAction(label: string) {
    await page.getByTestId('layer-ai-menu').click()
    await page.getByRole('menuitem', { name: label }).click()
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    root = await mkdtemp(join(tmpdir(), 'lattice-ai-ui-'))
    const manifests = join(root, 'manifests')
    const models = join(root, 'models')
    await mkdir(manifests, { recursive: true })
    // The real ISNet, copied in by hand as the shipped manifest names it (not verified yet).
    await writeIsnetSmall(join(models, 'isnet-general'), 'isnet-small.onnx')
    // Stand-ins for depth and segmentation (their defaults are not installed, so these are used).
    for (const task of ['depth', 'segment'] as const) {
      const manifest = await writeTaskModel(join(models, `test-${task}`), task)
      await writeFile(join(manifests, `test-${task}.json`), JSON.stringify(manifest))
    }
    // A model with no download URL, not installed: its manifest says how to install it.
    const manual = await writeTaskModel(join(root, 'elsewhere'), 'depth', 'test-manual')
    await writeFile(join(manifests, 'test-manual.json'), JSON.stringify({ ...manual, install: 'Copy model.onnx from the studio share to <models>/test-manual/.' }))
    app = await openApp({ env: { LATTICE_MODEL_MANIFESTS_DIR: manifests, LATTICE_MODELS_DIR: models } })
    page = app.page
    script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const uploaded = await script.uploadAsset(new Uint8Array(await subjectPicture()), { name: 'ball.png' })
    imageAssetId = uploaded.asset.id
    const created = await script.api.projects.create.mutate({ name: 'AI test', width: 640, height: 360, fps: 24, frameCount: 24 })
    projectId = created.id
    const project = await script.api.projects.get.query({ id: projectId })
    const document = project.document as ProjectDocument
    imageLayerId = addAssetLayer(document, { id: imageAssetId, name: 'Ball', kind: 'image', width: 480, height: 320 }).id
    await script.api.projects.save.mutate({ id: projectId, revision: project.revision, document })
    await signIn(page)
  }, 180_000)

  afterAll(async () => {
    await app?.dispose()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('Settings → Models lists every model with its state and verifies one copied in by hand', async () => {
    await page.goto('/settings')
    const section = page.getByTestId('models-section')
    await expect.poll(() => section.getByTestId('model-row').count(), POLL).toBeGreaterThanOrEqual(5)
    const row = (id: string) => page.locator(`[data-testid="model-row"][data-model-id="${id}"]`)
    const tableRow = (id: string) => page.locator('tr', { has: row(id) })
    await expect.poll(() => row('isnet-general').getAttribute('data-state'), POLL).toBe('installed')
    await shot('settings-models-before')
    expect(await row('isnet-general').getAttribute('data-verified')).toBe('false')
    expect(await row('depth-anything-v2-small').getAttribute('data-state')).toBe('missing')
    expect(await row('test-depth').getAttribute('data-state')).toBe('installed')
    expect(await section.getByTestId('models-device-reason').textContent()).toMatch(/\w/)
    // Licence links to the model card; a missing model offers its download.
    expect(await row('isnet-general').getByTestId('model-licence').textContent()).toContain('AGPL-3.0')
    expect(await tableRow('depth-anything-v2-small').getByTestId('model-download').count()).toBe(1)
    expect(await tableRow('test-depth').getByTestId('model-download').count()).toBe(0)
    // Without a URL: no Download, the manifest's install text instead.
    expect(await row('test-manual').getAttribute('data-state')).toBe('missing')
    expect(await tableRow('test-manual').getByTestId('model-download').count()).toBe(0)
    expect(await row('test-manual').getByTestId('model-install').textContent()).toContain('studio share')
    const isnetRow = tableRow('isnet-general')
    await isnetRow.getByTestId('model-verify').click()
    await expect.poll(() => row('isnet-general').getAttribute('data-verified'), TASK_POLL).toBe('true')
    expect(await isnetRow.getByTestId('model-state').textContent()).toContain('verified')
    await shot('settings-models')
    expect(app.pageErrors).toEqual([])
  }, 150_000)

  it('Remove background on an image layer (real ISNet): a matte layer, and the viewport shows the subject without its background', async () => {
    await page.goto(`/projects/${projectId}`)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('640×360')
    // The picture spans (80, 20)–(560, 340); the ball's centre is at (320, 190).
    await expect.poll(async () => (await viewportPixel(120, 60))[2], POLL).toBeGreaterThan(180)
    await selectLayer(imageLayerId)
    await runLayerAction('Remove background')
    const task = page.locator('[data-testid="ai-task"][data-task="matte"]')
    await expect.poll(() => task.count(), POLL).toBe(1)
    await shot('remove-background-progress')
    await expect.poll(() => task.getAttribute('data-status'), TASK_POLL).toBe('done')
    await page.waitForTimeout(1500)
    await shot('remove-background-done')

    const layers = await savedLayers()
    const source = layers.find((layer) => layer.id === imageLayerId)!
    expect(source.trackMatte.mode).toBe('luma')
    const matte = layers.find((layer) => layer.id === source.trackMatte.layerId)!
    expect(matte.kind).toBe('image')
    expect(layers.indexOf(matte)).toBe(layers.indexOf(source) - 1)
    expect(matte.parentId).toBe(source.id)
    // The matte is an asset, shown in the assets panel.
    const matteAssetId = matte.kind === 'image' ? matte.data.assetId : ''
    await page.getByTestId('left-tab-assets').click()
    await expect.poll(() => page.locator(`[data-testid="assets-panel-item"][data-asset-id="${matteAssetId}"]`).count(), POLL).toBe(1)
    await page.getByTestId('left-tab-layers').click()

    // The background is gone (the composition's black shows), the ball stays orange.
    await expect.poll(async () => Math.max(...(await viewportPixel(120, 60))), POLL).toBeLessThan(40)
    const ball = await viewportPixel(320, 190)
    expect(ball[0]).toBeGreaterThan(150)
    expect(ball[2]).toBeLessThan(120)
    expect(Math.max(...(await viewportPixel(530, 320)))).toBeLessThan(40)
    expect(app.pageErrors).toEqual([])
  }, 180_000)

  it('Segment: a click gives candidate masks with scores, and Apply as mask path adds a mask to the layer', async () => {
    await selectLayer(imageLayerId)
    await page.getByTestId('viewport-segment').click()
    await expect.poll(() => page.getByTestId('segment-toolbar').count(), POLL).toBe(1)
    const frame = page.getByTestId('viewport-frame')
    const box = (await frame.boundingBox())!
    const scale = Number(await frame.getAttribute('data-scale'))
    await page.mouse.click(box.x + 320 * scale, box.y + 190 * scale)
    await expect.poll(() => page.getByTestId('segment-candidate').count(), TASK_POLL).toBe(3)
    expect(await page.getByTestId('segment-point').count()).toBe(1)
    expect(await page.getByTestId('segment-mask-overlay').count()).toBe(1)
    // A background point (Alt-click) asks again.
    await page.keyboard.down('Alt')
    await page.mouse.click(box.x + 120 * scale, box.y + 60 * scale)
    await page.keyboard.up('Alt')
    await expect.poll(() => page.locator('[data-testid="segment-point"][data-label="0"]').count(), POLL).toBe(1)
    await expect.poll(() => page.getByTestId('segment-overlay').getAttribute('data-busy'), TASK_POLL).toBe('false')
    await shot('segment-candidates')
    // Best first; the stand-in's third mask is the square around the click within the bright ball.
    const scores = await page.getByTestId('segment-candidate').allTextContents()
    expect(scores.map((text) => Number(text.trim()))).toEqual([0.9, 0.8, 0.7])
    await page.getByTestId('segment-candidate').nth(2).click()
    expect(await page.getByTestId('segment-candidate').nth(2).getAttribute('aria-checked')).toBe('true')
    await shot('segment-chosen')
    await page.getByTestId('segment-apply-path').click()
    await expect.poll(() => page.getByTestId('segment-toolbar').count(), POLL).toBe(0)
    const layers = await savedLayers()
    const source = layers.find((layer) => layer.id === imageLayerId)!
    expect(source.masks).toHaveLength(1)
    const path = source.masks[0]!.path.value
    expect(path.closed).toBe(true)
    expect(path.vertices.length).toBeGreaterThanOrEqual(3)
    // In the layer's space: the picture's pixels.
    for (const vertex of path.vertices) {
      expect(vertex.point[0]).toBeGreaterThanOrEqual(0)
      expect(vertex.point[0]).toBeLessThanOrEqual(480)
      expect(vertex.point[1]).toBeGreaterThanOrEqual(0)
      expect(vertex.point[1]).toBeLessThanOrEqual(320)
    }
    // The matted ball is now also cut to the mask: outside the square around the click nothing shows.
    await expect.poll(async () => Math.max(...(await viewportPixel(320, 110))), POLL).toBeLessThan(40)
    expect((await viewportPixel(320, 190))[0]).toBeGreaterThan(150)
    await shot('segment-mask-path')
    // Escape leaves the tool.
    await page.getByTestId('viewport-segment').click()
    await expect.poll(() => page.getByTestId('segment-toolbar').count(), POLL).toBe(1)
    await page.keyboard.press('Escape')
    await expect.poll(() => page.getByTestId('segment-toolbar').count(), POLL).toBe(0)
    expect(app.pageErrors).toEqual([])
  }, 150_000)

  it('Depth map on an image layer adds a depth layer of the picture, ready for parallax', async () => {
    await selectLayer(imageLayerId)
    await runLayerAction('Depth map')
    const task = page.locator('[data-testid="ai-task"][data-task="depth"]')
    await expect.poll(() => task.getAttribute('data-status'), TASK_POLL).toBe('done')
    const layers = await savedLayers()
    const depth = layers.find((layer) => layer.kind === 'depth')!
    expect(depth).toBeDefined()
    expect(depth.kind === 'depth' && depth.data.assetId).toBe(imageAssetId)
    expect(depth.kind === 'depth' && depth.data.depthAssetId).not.toBe(imageAssetId)
    expect(depth.kind === 'depth' && depth.data.displacement.value).toBeGreaterThan(0)
    expect(layers.indexOf(depth)).toBeLessThan(layers.findIndex((layer) => layer.id === imageLayerId))
    await expect.poll(() => page.getByTestId('viewport-error').count(), POLL).toBe(0)
    await shot('depth-map')
  }, 150_000)

  it('a missing model gives a clear error with the way to Settings → Models', async () => {
    // Delete the depth stand-in in Settings; the default depth model is not installed either.
    await page.goto('/settings')
    const row = page.locator('tr', { has: page.locator('[data-testid="model-row"][data-model-id="test-depth"]') })
    await row.getByTestId('model-delete').click()
    await page.getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => page.locator('[data-testid="model-row"][data-model-id="test-depth"]').getAttribute('data-state'), POLL).toBe('missing')

    await page.goto(`/projects/${projectId}`)
    await expect.poll(() => page.getByTestId('layer-row').count(), POLL).toBeGreaterThan(0)
    await selectLayer(imageLayerId)
    await runLayerAction('Normal map')
    const failed = page.locator('[data-testid="ai-task"][data-task="normals"][data-status="failed"]')
    await expect.poll(() => failed.count(), POLL).toBe(1)
    expect(await failed.getByTestId('ai-task-error').textContent()).toMatch(/not installed|Settings → Models/i)
    expect(await failed.getByTestId('ai-task-models-link').count()).toBe(1)
    await shot('missing-model')
    await failed.getByTestId('ai-task-models-link').click()
    await page.waitForURL((url) => url.pathname === '/settings')
    await expect.poll(() => page.getByTestId('models-section').count(), POLL).toBe(1)
  }, 90_000)
})
