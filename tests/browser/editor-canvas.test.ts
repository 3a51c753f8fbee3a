import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import type { Layer, ProjectDocument } from '../../shared/project'
import { addLayer, BOOTSTRAP_TOKEN, openApp, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 15_000, interval: 100 }

/** Working on the canvas: assets dragged onto the viewport, and the transform handles. */
describe('the editor canvas', () => {
  let app: BrowserApp
  let page: Page
  let projectId = ''
  let assetId = ''
  let script: ReturnType<typeof createLatticeClient>

  const saveState = () => page.getByTestId('editor-save-state').getAttribute('data-state')
  const frame = () => page.getByTestId('viewport-frame')
  const scale = async () => Number(await frame().getAttribute('data-scale'))
  const storedLayers = async (): Promise<Layer[]> => {
    const { document } = (await script.api.projects.get.query({ id: projectId })) as { document: ProjectDocument }
    return document.compositions[document.mainCompositionId]!.layers
  }
  /** The stored layers once the autosave has caught up. */
  async function savedLayers(): Promise<Layer[]> {
    await expect.poll(saveState, POLL).toBe('saved')
    return storedLayers()
  }

  beforeAll(async () => {
    app = await openApp()
    page = app.page
    script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const png = await sharp({ create: { width: 200, height: 100, channels: 4, background: { r: 200, g: 40, b: 40, alpha: 1 } } }).png().toBuffer()
    const uploaded = await script.uploadAsset(new Uint8Array(png), { name: 'red.png' })
    assetId = uploaded.asset.id
    expect(uploaded.asset.status).toBe('ready')
    const created = await script.api.projects.create.mutate({ name: 'Canvas test', width: 640, height: 360, fps: 24, frameCount: 48 })
    projectId = created.id
    await signIn(page)
  })
  afterAll(async () => {
    await app?.dispose()
  })

  it('adds an image layer by dragging the asset from the Assets panel onto the viewport', async () => {
    await page.goto(`/projects/${projectId}`)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('640×360')
    await page.getByTestId('left-tab-assets').click()
    const item = page.locator(`[data-testid="assets-panel-item"][data-asset-id="${assetId}"]`)
    await expect.poll(() => item.count(), POLL).toBe(1)

    const s = await scale()
    expect(s).toBeGreaterThan(0)
    const drop = { x: 160, y: 90 }
    await item.dragTo(frame(), { targetPosition: drop })

    await expect.poll(async () => (await storedLayers()).length, POLL).toBe(1)
    const [layer] = await savedLayers()
    expect(layer!.kind).toBe('image')
    expect(layer!.kind === 'image' && layer!.data.assetId).toBe(assetId)
    // The asset's 200×100, centred on the drop point.
    expect(layer!.transform.anchor.value).toEqual([100, 50, 0])
    expect(layer!.transform.position.value[0]).toBeCloseTo(drop.x / s, 0)
    expect(layer!.transform.position.value[1]).toBeCloseTo(drop.y / s, 0)
    // One undo step.
    await page.getByTestId('editor-undo').click()
    await expect.poll(async () => (await savedLayers()).length, POLL).toBe(0)
    await page.getByTestId('editor-redo').click()
    await expect.poll(async () => (await savedLayers()).length, POLL).toBe(1)
  })

  it('moves a solid with its move handle, and undo puts it back', async () => {
    await page.getByTestId('left-tab-layers').click()
    await addLayer(page, 'Solid')
    await expect.poll(() => page.getByTestId('layer-row').count(), POLL).toBe(2)
    await expect.poll(() => page.getByTestId('transform-handles').count(), POLL).toBe(1)
    const before = (await savedLayers()).find((layer) => layer.kind === 'solid')!
    expect(before.transform.position.value).toEqual([320, 180, 0])

    const s = await scale()
    const box = (await frame().boundingBox())!
    const dx = 60
    const dy = -30
    const from = { x: box.x + box.width * 0.3, y: box.y + box.height * 0.6 }
    await page.mouse.move(from.x, from.y)
    await page.mouse.down()
    await page.mouse.move(from.x + dx / 2, from.y + dy / 2, { steps: 4 })
    await page.mouse.move(from.x + dx, from.y + dy, { steps: 4 })
    await page.mouse.up()

    await expect.poll(async () => (await savedLayers()).find((layer) => layer.id === before.id)!.transform.position.value[0], POLL).not.toBe(320)
    const after = (await savedLayers()).find((layer) => layer.id === before.id)!
    expect(Math.abs(after.transform.position.value[0] - (320 + dx / s))).toBeLessThanOrEqual(1)
    expect(Math.abs(after.transform.position.value[1] - (180 + dy / s))).toBeLessThanOrEqual(1)

    // The whole drag is one undo step.
    await page.getByTestId('editor-undo').click()
    await expect.poll(async () => (await savedLayers()).find((layer) => layer.id === before.id)?.transform.position.value, POLL).toEqual([320, 180, 0])
    expect((await storedLayers()).map((layer) => layer.kind)).toEqual(['solid', 'image'])
    expect(app.pageErrors).toEqual([])
  })
  it('scales the solid from a corner handle and rotates it clockwise from the rotation handle', async () => {
    await expect.poll(() => page.getByTestId('transform-handles').count(), POLL).toBe(1)
    const solid = (await savedLayers()).find((layer) => layer.kind === 'solid')!
    expect(solid.transform.scale.value.slice(0, 2)).toEqual([100, 100])
    const s = await scale()
    const box = (await frame().boundingBox())!
    const anchor = { x: box.x + 320 * s, y: box.y + 180 * s }

    // The bottom-right corner sits 320×180 composition pixels from the anchor; pulling it in by
    // 64×36 makes the layer 80 % of its size on both axes.
    const corner = (await page.getByTestId('handle-scale-2').boundingBox())!
    const start = { x: corner.x + corner.width / 2, y: corner.y + corner.height / 2 }
    await page.mouse.move(start.x, start.y)
    await page.mouse.down()
    await page.mouse.move(start.x - 64 * s, start.y - 36 * s, { steps: 6 })
    await page.mouse.up()
    await expect.poll(async () => (await savedLayers()).find((layer) => layer.id === solid.id)!.transform.scale.value[0], POLL).not.toBe(100)
    const scaled = (await savedLayers()).find((layer) => layer.id === solid.id)!
    expect(Math.abs(scaled.transform.scale.value[0] - 80)).toBeLessThanOrEqual(1)
    expect(Math.abs(scaled.transform.scale.value[1] - 80)).toBeLessThanOrEqual(1.5)

    // The rotation handle is straight above the anchor; carrying it to the anchor's right, at the
    // same distance, is a quarter turn clockwise on screen: +90° in the engine's convention.
    const handle = (await page.getByTestId('handle-rotate').boundingBox())!
    const grip = { x: handle.x + handle.width / 2, y: handle.y + handle.height / 2 }
    const radius = Math.hypot(grip.x - anchor.x, grip.y - anchor.y)
    expect(Math.abs(grip.x - anchor.x)).toBeLessThan(2)
    expect(grip.y).toBeLessThan(anchor.y)
    await page.mouse.move(grip.x, grip.y)
    await page.mouse.down()
    for (const degrees of [20, 45, 70, 90]) {
      const a = (degrees * Math.PI) / 180
      await page.mouse.move(anchor.x + radius * Math.sin(a), anchor.y - radius * Math.cos(a), { steps: 3 })
    }
    await page.mouse.up()
    await expect.poll(async () => (await savedLayers()).find((layer) => layer.id === solid.id)!.transform.rotation.value, POLL).not.toBe(0)
    const rotated = (await savedLayers()).find((layer) => layer.id === solid.id)!
    expect(Math.abs(rotated.transform.rotation.value - 90)).toBeLessThanOrEqual(1)
    expect(app.pageErrors).toEqual([])
  })
})
