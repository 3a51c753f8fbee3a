import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { BOOTSTRAP_TOKEN, openApp, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 20_000, interval: 100 }

function card(page: Page, name: string): Locator {
  return page.getByTestId('asset-card').filter({ has: page.getByTestId('asset-name').getByText(name, { exact: true }) })
}

/** Whether an <img> finished loading real pixels (a broken thumbnail has naturalWidth 0). */
function imageLoaded(image: Locator): Promise<boolean> {
  return image.evaluate((element) => (element as HTMLImageElement).complete && (element as HTMLImageElement).naturalWidth > 0)
}

/** The media library: uploads with progress, the video's processing job, rename and delete. */
describe('the web app: assets', () => {
  let app: BrowserApp
  let page: Page
  let png = ''
  let mp4 = ''
  let notAnImage = ''

  beforeAll(async () => {
    app = await openApp()
    page = app.page
    png = join(app.files, 'plate.png')
    mp4 = join(app.files, 'clip.mp4')
    notAnImage = join(app.files, 'notes.png')
    await sharp({ create: { width: 96, height: 64, channels: 4, background: { r: 200, g: 40, b: 90, alpha: 0.5 } } }).png().toFile(png)
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '1', '-pix_fmt', 'yuv420p', mp4])
    await writeFile(notAnImage, 'these are notes, not pixels\n'.repeat(20))
    await signIn(page)
  })
  afterAll(async () => {
    await app?.dispose()
  })

  it('shows an empty library with the upload limit', async () => {
    await page.getByTestId('main-nav').getByRole('link', { name: 'Assets' }).click()
    await page.waitForURL((url) => url.pathname === '/assets')
    await page.getByTestId('asset-grid-empty').waitFor()
    expect(await page.getByTestId('asset-upload-limit').textContent()).toMatch(/Up to 2 GB per file/)
  })

  it('uploads an image and a video; both get thumbnails and the video is processed to ready', async () => {
    // The video's processing job is followed live through the jobs.watch subscription.
    const watched: string[] = []
    page.on('request', (request) => {
      if (request.url().includes('/api/trpc/jobs.watch')) watched.push(request.url())
    })
    await page.getByTestId('asset-upload-input').setInputFiles([png, mp4])

    await expect.poll(() => page.getByTestId('upload-row').count(), POLL).toBe(2)
    const rows = page.getByTestId('upload-row')
    await expect.poll(() => rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-phase')).sort()), POLL).toEqual(['ready', 'ready'])

    const image = card(page, 'plate.png')
    const video = card(page, 'clip.mp4')
    await expect.poll(() => image.getAttribute('data-status'), POLL).toBe('ready')
    await expect.poll(() => video.getAttribute('data-status'), POLL).toBe('ready')
    expect(watched).toHaveLength(1)
    expect(await image.getAttribute('data-kind')).toBe('image')
    expect(await video.getAttribute('data-kind')).toBe('video')
    await expect.poll(() => imageLoaded(image.getByTestId('asset-thumbnail')), POLL).toBe(true)
    await expect.poll(() => imageLoaded(video.getByTestId('asset-thumbnail')), POLL).toBe(true)
    // Facts from the probe: the video's size and length.
    expect(await video.textContent()).toContain('320×240')
    expect(await video.textContent()).toContain('1.00 s')
    expect(await image.textContent()).toContain('96×64')

    // The original opens from its card.
    const href = await image.getByTestId('asset-open').getAttribute('href')
    expect(href).toMatch(/^\/api\/assets\/[0-9a-f-]{36}\/file$/)
    expect(await page.evaluate(async (url) => (await fetch(url)).status, href!)).toBe(200)
  })

  it('shows why the server refused a file that is not media', async () => {
    await page.getByTestId('asset-upload-input').setInputFiles(notAnImage)
    const failed = page.getByTestId('upload-row').filter({ hasText: 'notes.png' })
    await expect.poll(() => failed.getAttribute('data-phase'), POLL).toBe('failed')
    expect(await failed.getByTestId('upload-status').textContent()).toContain('could not be recognised')
    expect(await card(page, 'notes.png').count()).toBe(0)
  })

  it('filters by kind and searches by name', async () => {
    await page.getByTestId('asset-kind-filter').getByRole('button', { name: 'Video' }).click()
    await expect.poll(() => page.getByTestId('asset-card').count(), POLL).toBe(1)
    expect(await card(page, 'clip.mp4').count()).toBe(1)
    await page.getByTestId('asset-kind-filter').getByRole('button', { name: 'All' }).click()
    await expect.poll(() => page.getByTestId('asset-card').count(), POLL).toBe(2)
    await page.getByTestId('asset-search').fill('PLATE')
    await expect.poll(() => page.getByTestId('asset-card').count(), POLL).toBe(1)
    expect(await card(page, 'plate.png').count()).toBe(1)
    await page.getByTestId('asset-search').fill('')
    await expect.poll(() => page.getByTestId('asset-card').count(), POLL).toBe(2)
  })

  it('renames an asset', async () => {
    await card(page, 'plate.png').getByTestId('asset-rename').click()
    await page.getByTestId('rename-input').fill('Background plate')
    await page.getByTestId('rename-save').click()
    await card(page, 'Background plate').waitFor()
    expect(await card(page, 'plate.png').count()).toBe(0)
  })

  it('refuses to delete an asset a project uses, naming the project; deletes an unused one', async () => {
    // A script places the image in a project.
    const script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const imageId = await card(page, 'Background plate').getAttribute('data-asset-id')
    const created = await script.api.projects.create.mutate({ name: 'Plate comp' })
    const opened = await script.api.projects.get.query({ id: created.id })
    const main = opened.document.compositions[opened.document.mainCompositionId]!
    const layer = { id: 'plate', name: 'Plate layer', kind: 'image', outPoint: main.frameCount, data: { assetId: imageId } }
    const document = { ...opened.document, compositions: { [main.id]: { ...main, layers: [layer] } } }
    await script.api.projects.save.mutate({ id: created.id, revision: opened.revision, document })

    await card(page, 'Background plate').getByTestId('asset-delete').click()
    await page.getByTestId('confirm-action').click()
    await expect.poll(() => page.getByTestId('confirm-error').textContent(), POLL).toContain('"Plate comp"')
    await page.keyboard.press('Escape')
    await page.getByTestId('confirm-action').waitFor({ state: 'hidden' })
    expect(await card(page, 'Background plate').count()).toBe(1)

    await card(page, 'clip.mp4').getByTestId('asset-delete').click()
    await page.getByTestId('confirm-action').click()
    await expect.poll(() => card(page, 'clip.mp4').count(), POLL).toBe(0)
    const { items } = await script.api.assets.list.query({})
    expect(items.map((asset) => asset.name)).toEqual(['Background plate'])

    // The editor shell lists the layer that uses it.
    await page.goto(`/projects/${created.id}`)
    await expect.poll(() => page.getByTestId('layer-row').count(), POLL).toBe(1)
    expect(await page.getByTestId('layer-row').textContent()).toContain('Plate layer')
  })

  it('reported no errors in the page', () => {
    expect(app.pageErrors).toEqual([])
  })
})
