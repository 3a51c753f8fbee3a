import { join } from 'node:path'
import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { createEmptyDocument, parseDocument, type LayerInput } from '../../shared/project'
import { BOOTSTRAP_TOKEN, openApp, screenshotFolder, shootBoth, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 20_000, interval: 100 }

/** Mask presets on a picture smaller than its composition, as the 640×360 clip in a 1280×720 comp. */
describe('masks on a layer smaller than the composition', () => {
  let app: BrowserApp
  let page: Page
  let projectId = ''
  let script: ReturnType<typeof createLatticeClient>
  const shots = () => screenshotFolder(app)

  beforeAll(async () => {
    app = await openApp()
    page = app.page
    script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const png = await sharp({ create: { width: 640, height: 360, channels: 4, background: { r: 220, g: 30, b: 30, alpha: 1 } } }).png().toBuffer()
    const imageId = (await script.uploadAsset(new Uint8Array(png), { name: 'plate.png' })).asset.id
    const created = await script.api.projects.create.mutate({ name: 'Mask test', width: 1280, height: 720, fps: 24, frameCount: 24 })
    projectId = created.id
    const base = createEmptyDocument({ name: 'Mask test', width: 1280, height: 720, fps: 24 })
    const image = {
      id: 'plate', kind: 'image', name: 'Plate', inPoint: 0, outPoint: 24, data: { assetId: imageId },
      transform: { anchor: { value: [320, 180, 0] }, position: { value: [640, 360, 0] } },
    } as unknown as LayerInput
    const document = parseDocument({ ...base, compositions: { [base.mainCompositionId]: { ...base.compositions[base.mainCompositionId]!, frameCount: 24, layers: [image] } } }).document
    await script.api.projects.save.mutate({ id: created.id, revision: created.revision, document })
    await signIn(page)
  })
  afterAll(async () => { await app?.dispose() })

  const pathField = (index: number) => page.getByTestId(`value-masks-0-path-${index}`)

  it('fits "Ellipse (fits layer)" to the picture, not the composition, and shows the path box readably', async () => {
    await page.goto(`/projects/${projectId}`)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('1280×720')
    await page.getByTestId('layer-row').first().click()
    await page.getByTestId('mask-add').click()
    await page.getByRole('menuitem', { name: 'Ellipse (fits layer)' }).click()
    await expect.poll(() => pathField(2).inputValue(), POLL).toBe('640')
    expect(await pathField(3).inputValue()).toBe('360')
    expect(await pathField(0).inputValue()).toBe('0')
    expect(await pathField(1).inputValue()).toBe('0')

    // Drawn: the ellipse spans the whole picture (its box is the picture's) and cuts its corners.
    const frame = page.getByTestId('viewport-frame')
    const s = Number(await frame.getAttribute('data-scale'))
    await page.addStyleTag({ content: '[data-testid="transform-handles"] { visibility: hidden !important }' })
    await expect.poll(async () => {
      const { data, info } = await sharp(await page.getByTestId('viewport-canvas').screenshot()).raw().toBuffer({ resolveWithObject: true })
      const redAt = (x: number, y: number) => {
        const i = (Math.round(y) * info.width + Math.round(x)) * info.channels
        return data[i]! > 150 && data[i + 1]! < 90 && data[i + 2]! < 90
      }
      // The picture spans 320..960 × 180..540 in composition pixels.
      const inside = redAt(640 * s, 360 * s) && redAt(330 * s, 360 * s) && redAt(950 * s, 360 * s) && redAt(640 * s, 190 * s) && redAt(640 * s, 530 * s)
      const cornersCut = !redAt(330 * s, 190 * s) && !redAt(950 * s, 530 * s)
      return inside && cornersCut
    }, POLL).toBe(true)
    await shootBoth(page, shots(), 'mask-ellipse-fits-layer')

    // The path's four fields each show the whole number (1280 wide when fitted to the composition).
    await page.getByTestId('mask-add').click()
    await page.getByRole('menuitem', { name: 'Rectangle (fits composition)' }).click()
    const second = page.getByTestId('value-masks-1-path-2')
    await expect.poll(() => second.inputValue(), POLL).toBe('1280')
    for (const index of [0, 1, 2, 3]) {
      const field = page.getByTestId(`value-masks-1-path-${index}`)
      const fits = await field.evaluate((input) => (input as HTMLInputElement).scrollWidth <= (input as HTMLInputElement).clientWidth)
      expect(fits, `path field ${index} shows its whole value`).toBe(true)
    }
    await page.screenshot({ path: join(shots(), 'mask-path-fields.png') })
    expect(app.pageErrors).toEqual([])
  })
})
