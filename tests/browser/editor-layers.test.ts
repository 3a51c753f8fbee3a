import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { NO_DEPTH_MESSAGE } from '../../shared/editor/ops'
import { createEmptyDocument, parseDocument, type Layer, type LayerInput, type ProjectDocument } from '../../shared/project'
import { BOOTSTRAP_TOKEN, addLayer as addLayerFromMenu, openApp, shootBoth as shootBothSizes, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 20_000, interval: 100 }

interface Box { left: number; top: number; right: number; bottom: number }

/** Layers that behave as a motion designer expects: where they pivot, what they show, how long they last. */
describe('layers in the editor', () => {
  let app: BrowserApp
  let page: Page
  let projectId = ''
  let imageId = ''
  let videoId = ''
  let slideProjectId = ''
  let script: ReturnType<typeof createLatticeClient>

  const shots = () => process.env.LATTICE_SCREENSHOTS || app.files
  const saveState = () => page.getByTestId('editor-save-state').getAttribute('data-state')
  const frame = () => page.getByTestId('viewport-frame')
  const scale = async () => Number(await frame().getAttribute('data-scale'))
  const storedLayers = async (): Promise<Layer[]> => {
    const { document } = (await script.api.projects.get.query({ id: projectId })) as { document: ProjectDocument }
    return document.compositions[document.mainCompositionId]!.layers
  }
  async function savedLayers(): Promise<Layer[]> {
    await expect.poll(saveState, POLL).toBe('saved')
    return storedLayers()
  }
  async function addLayer(...path: string[]) {
    await page.getByTestId('left-tab-layers').click()
    await addLayerFromMenu(page, ...path)
  }
  const shootBoth = (name: string) => shootBothSizes(page, shots(), name)

  /**
   * The viewport as the user sees it, without the handles drawn over it; the box (screen pixels
   * from the canvas's top left) around the pixels that `match`, or null.
   */
  async function boxOf(match: (r: number, g: number, b: number) => boolean): Promise<Box | null> {
    await page.addStyleTag({ content: '[data-testid="transform-handles"] { visibility: hidden !important }' }).then((tag) => tag.evaluate((el) => (el as Element).setAttribute('data-hide-handles', '')))
    const png = await page.getByTestId('viewport-canvas').screenshot()
    await page.evaluate(() => document.querySelectorAll('[data-hide-handles]').forEach((el) => el.remove()))
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
    let box: Box | null = null
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        const i = (y * info.width + x) * info.channels
        if (!match(data[i]!, data[i + 1]!, data[i + 2]!)) continue
        box = box ? { left: Math.min(box.left, x), top: Math.min(box.top, y), right: Math.max(box.right, x + 1), bottom: Math.max(box.bottom, y + 1) } : { left: x, top: y, right: x + 1, bottom: y + 1 }
      }
    }
    return box
  }
  const red = (r: number, g: number, b: number) => r > 150 && g < 90 && b < 90
  const white = (r: number, g: number, b: number) => r > 170 && g > 170 && b > 170
  const centreOf = (b: Box) => [(b.left + b.right) / 2, (b.top + b.bottom) / 2]
  /** The move handle's box relative to the canvas, in screen pixels. */
  async function handleBox(): Promise<Box> {
    const canvas = (await page.getByTestId('viewport-canvas').boundingBox())!
    const b = (await page.getByTestId('handle-move').boundingBox())!
    return { left: b.x - canvas.x, top: b.y - canvas.y, right: b.x + b.width - canvas.x, bottom: b.y + b.height - canvas.y }
  }

  beforeAll(async () => {
    app = await openApp()
    page = app.page
    script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const png = await sharp({ create: { width: 200, height: 100, channels: 4, background: { r: 220, g: 30, b: 30, alpha: 1 } } }).png().toBuffer()
    imageId = (await script.uploadAsset(new Uint8Array(png), { name: 'red.png' })).asset.id
    const mp4 = join(app.files, 'clip.mp4')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '1', '-pix_fmt', 'yuv420p', mp4])
    const video = await script.uploadAsset(mp4, { name: 'clip.mp4' })
    if (video.jobId) expect(await script.waitForJob(video.jobId)).toBe('succeeded')
    videoId = video.asset.id
    const created = await script.api.projects.create.mutate({ name: 'Layers test', width: 640, height: 360, fps: 24, frameCount: 96 })
    projectId = created.id
    // A solid keyed on position, on a mask's opacity and on an effect parameter, for sliding.
    const slide = await script.api.projects.create.mutate({ name: 'Slide test', width: 640, height: 360, fps: 24, frameCount: 48 })
    const base = createEmptyDocument({ name: 'Slide test', width: 640, height: 360, fps: 24 })
    const key = (id: string, frame: number, value: unknown) => ({ id, frame, value, interpolation: 'linear' })
    const solid = {
      id: 'slid', kind: 'solid', name: 'Keyed', inPoint: 0, outPoint: 48, data: { color: '#3366cc', width: 100, height: 100 },
      transform: { anchor: { value: [50, 50, 0] }, position: { value: [100, 180, 0], keyframes: [key('p0', 10, [100, 180, 0]), key('p1', 30, [540, 180, 0])] } },
      masks: [{ id: 'm', name: 'Mask 1', path: { value: { closed: true, vertices: [{ point: [0, 0] }, { point: [100, 0] }, { point: [100, 100] }, { point: [0, 100] }] } }, opacity: { value: 100, keyframes: [key('o0', 12, 100), key('o1', 20, 50)] } }],
      effects: [{ id: 'fx', type: 'blur', enabled: true, params: { radius: { value: 0, keyframes: [key('e0', 5, 0), key('e1', 25, 4)] } } }],
    } as unknown as LayerInput
    const document = parseDocument({ ...base, compositions: { [base.mainCompositionId]: { ...base.compositions[base.mainCompositionId]!, frameCount: 48, layers: [solid] } } }).document
    await script.api.projects.save.mutate({ id: slide.id, revision: slide.revision, document })
    slideProjectId = slide.id
    await signIn(page)
  })
  afterAll(async () => {
    await app?.dispose()
  })

  it('adds an image from the Layers panel centred, with its anchor at its centre, and rotates it about that centre', async () => {
    await page.goto(`/projects/${projectId}`)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('640×360')
    await addLayer('Image…')
    await page.getByTestId('asset-picker-item').filter({ hasText: 'red.png' }).click()
    const [image] = await savedLayers()
    expect(image!.kind === 'image' && image!.data.assetId).toBe(imageId)
    expect(image!.transform.anchor.value).toEqual([100, 50, 0])
    expect(image!.transform.position.value).toEqual([320, 180, 0])

    const s = await scale()
    // 200×100 red, centred on the composition's centre.
    await expect.poll(async () => (await boxOf(red))?.right ?? 0, POLL).toBeGreaterThan(0)
    const before = (await boxOf(red))!
    expect(Math.abs(before.right - before.left - 200 * s)).toBeLessThanOrEqual(2)
    expect(Math.abs(before.bottom - before.top - 100 * s)).toBeLessThanOrEqual(2)
    expect(Math.abs(centreOf(before)[0]! - 320 * s)).toBeLessThanOrEqual(1.5)
    expect(Math.abs(centreOf(before)[1]! - 180 * s)).toBeLessThanOrEqual(1.5)

    // A quarter turn with the rotation handle: the picture turns about its own centre.
    const canvas = (await page.getByTestId('viewport-canvas').boundingBox())!
    const pivot = { x: canvas.x + 320 * s, y: canvas.y + 180 * s }
    const handle = (await page.getByTestId('handle-rotate').boundingBox())!
    const grip = { x: handle.x + handle.width / 2, y: handle.y + handle.height / 2 }
    expect(Math.abs(grip.x - pivot.x)).toBeLessThan(2)
    const radius = Math.hypot(grip.x - pivot.x, grip.y - pivot.y)
    await page.mouse.move(grip.x, grip.y)
    await page.mouse.down()
    for (const degrees of [30, 60, 90]) {
      const a = (degrees * Math.PI) / 180
      await page.mouse.move(pivot.x + radius * Math.sin(a), pivot.y - radius * Math.cos(a), { steps: 3 })
    }
    await page.mouse.up()
    await expect.poll(async () => (await savedLayers())[0]!.transform.rotation.value, POLL).not.toBe(0)
    expect(Math.abs((await storedLayers())[0]!.transform.rotation.value - 90)).toBeLessThanOrEqual(1)
    await expect.poll(async () => { const b = await boxOf(red); return b ? b.bottom - b.top > b.right - b.left : false }, POLL).toBe(true)
    const after = (await boxOf(red))!
    expect(Math.abs(after.right - after.left - 100 * s)).toBeLessThanOrEqual(2)
    expect(Math.abs(after.bottom - after.top - 200 * s)).toBeLessThanOrEqual(2)
    expect(Math.abs(centreOf(after)[0]! - 320 * s)).toBeLessThanOrEqual(1.5)
    expect(Math.abs(centreOf(after)[1]! - 180 * s)).toBeLessThanOrEqual(1.5)
    await shootBoth('layers-image-rotated')
    // Out of the way for the text.
    await page.getByTestId('layer-row').first().getByTestId('layer-visible').click()
    await expect.poll(async () => (await boxOf(red)) === null, POLL).toBe(true)
    expect(app.pageErrors).toEqual([])
  })

  it('adds text centred on its anchor; the selection box encloses the glyphs; moving it moves it by the drag, without a jump', async () => {
    await addLayer('Text')
    await expect.poll(async () => (await savedLayers()).length, POLL).toBe(2)
    const text = (await storedLayers()).find((layer) => layer.kind === 'text')!
    // Anchor in the middle of the glyphs (text is set from its baseline, so above it: y < 0).
    expect(text.transform.anchor.value[0]).toBeGreaterThan(0)
    expect(text.transform.anchor.value[1]).toBeLessThan(0)
    expect(text.transform.position.value).toEqual([320, 180, 0])

    const s = await scale()
    await expect.poll(async () => (await boxOf(white))?.right ?? 0, POLL).toBeGreaterThan(0)
    const glyphs = (await boxOf(white))!
    expect(Math.abs(centreOf(glyphs)[0]! - 320 * s)).toBeLessThanOrEqual(2)
    expect(Math.abs(centreOf(glyphs)[1]! - 180 * s)).toBeLessThanOrEqual(2)
    // The box hugs the glyphs: around them, a few pixels at most from their edges.
    const box = await handleBox()
    for (const [outer, inner] of [[glyphs.left - box.left, 0], [box.right - glyphs.right, 0], [glyphs.top - box.top, 0], [box.bottom - glyphs.bottom, 0]] as const) {
      expect(outer).toBeGreaterThanOrEqual(inner - 1.5)
      expect(outer).toBeLessThanOrEqual(4)
    }
    await shootBoth('layers-text-selected')

    // Drag the text by (60, -30) screen pixels from a point inside its glyph box.
    const canvas = (await page.getByTestId('viewport-canvas').boundingBox())!
    const from = { x: canvas.x + (box.left + box.right) / 2, y: canvas.y + (box.top + box.bottom) / 2 }
    await page.mouse.move(from.x, from.y)
    await page.mouse.down()
    await page.mouse.move(from.x + 1, from.y, { steps: 1 })
    await page.mouse.move(from.x + 30, from.y - 15, { steps: 4 })
    await page.mouse.move(from.x + 60, from.y - 30, { steps: 4 })
    await page.mouse.up()
    await expect.poll(async () => (await savedLayers()).find((layer) => layer.id === text.id)!.transform.position.value[0], POLL).not.toBe(320)
    const moved = (await storedLayers()).find((layer) => layer.id === text.id)!
    expect(Math.abs(moved.transform.position.value[0] - (320 + 60 / s))).toBeLessThanOrEqual(0.5)
    expect(Math.abs(moved.transform.position.value[1] - (180 - 30 / s))).toBeLessThanOrEqual(0.5)
    expect(moved.transform.anchor.value).toEqual(text.transform.anchor.value)
    await expect.poll(async () => (await boxOf(white))?.left ?? 0, POLL).toBeGreaterThan(glyphs.left + 30)
    const after = (await boxOf(white))!
    expect(Math.abs(after.left - glyphs.left - 60)).toBeLessThanOrEqual(1.5)
    expect(Math.abs(after.top - glyphs.top + 30)).toBeLessThanOrEqual(1.5)
    const boxAfter = await handleBox()
    expect(Math.abs(boxAfter.left - box.left - 60)).toBeLessThanOrEqual(1.5)
    expect(Math.abs(boxAfter.top - box.top + 30)).toBeLessThanOrEqual(1.5)
    expect(app.pageErrors).toEqual([])
  })

  it('shows a camera only what a camera has', async () => {
    const properties = page.getByTestId('properties-panel')
    // A text layer first, for comparison: masks, blend mode, track matte and the 3D switch.
    expect(await page.getByTestId('masks').count()).toBe(1)
    expect(await page.getByTestId('layer-blend').count()).toBe(1)
    expect(await page.getByTestId('layer-matte-mode').count()).toBe(1)
    expect(await page.getByTestId('layer-3d').count()).toBe(1)

    await addLayer('Camera')
    await expect.poll(async () => (await savedLayers()).some((layer) => layer.kind === 'camera'), POLL).toBe(true)
    await expect.poll(() => page.getByTestId('masks').count(), POLL).toBe(0)
    expect(await page.getByTestId('layer-blend').count()).toBe(0)
    expect(await page.getByTestId('layer-matte-mode').count()).toBe(0)
    expect(await page.getByTestId('layer-3d').count()).toBe(0)
    const shown = await properties.textContent()
    expect(shown).toContain('Zoom')
    expect(shown).toContain('Orientation')
    expect(shown).not.toContain('Anchor point')
    expect(shown).not.toContain('Opacity')
    expect(shown).not.toContain('Mask')
    await shootBoth('layers-camera-properties')
    expect(app.pageErrors).toEqual([])
  })

  it('says the depth pass is empty when nothing is 3D, in Send frame and in the export dialog', async () => {
    await page.getByTestId('send-frame').click()
    await page.getByRole('menuitem', { name: 'Depth' }).click()
    await expect.poll(() => page.getByText(NO_DEPTH_MESSAGE).count(), POLL).toBeGreaterThan(0)
    expect(new URL(page.url()).pathname).toBe(`/projects/${projectId}`)
    await shootBoth('layers-send-depth-warning')

    await page.getByTestId('editor-export').click()
    await page.getByTestId('export-dialog').waitFor()
    await page.getByTestId('export-preset-h264').click()
    expect(await page.getByTestId('export-no-depth').count()).toBe(0)
    await page.getByTestId('export-output-pass').click()
    await page.getByRole('option', { name: 'Depth (near = white)' }).click()
    await expect.poll(() => page.getByTestId('export-no-depth').count(), POLL).toBe(1)
    expect(await page.getByTestId('export-no-depth').textContent()).toContain('no 3D or depth layers')
    await shootBoth('layers-export-depth-warning')
    await page.getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => page.getByTestId('export-dialog').count(), POLL).toBe(0)

    // With a 3D layer the depth pass has something to show: no warning.
    await page.getByTestId('layer-row').filter({ hasText: 'Text' }).click()
    await page.getByTestId('layer-3d').click()
    await expect.poll(async () => (await savedLayers()).find((layer) => layer.kind === 'text')!.threeD, POLL).toBe(true)
    await page.getByTestId('editor-export').click()
    await page.getByTestId('export-output-pass').click()
    await page.getByRole('option', { name: 'Depth (near = white)' }).click()
    await expect.poll(() => page.getByTestId('export-output-pass').textContent(), POLL).toContain('Depth')
    expect(await page.getByTestId('export-no-depth').count()).toBe(0)
    await page.getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => page.getByTestId('export-dialog').count(), POLL).toBe(0)
  })

  it('slides a layer and all its keyframes when its bar is dragged along the timeline, before frame 0 too', async () => {
    await page.goto(`/projects/${slideProjectId}`)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('640×360')
    const slid = async () => {
      const { document } = (await script.api.projects.get.query({ id: slideProjectId })) as { document: ProjectDocument }
      return document.compositions[document.mainCompositionId]!.layers[0]!
    }
    const keys = (layer: Layer) => [
      layer.transform.position.keyframes.map((k) => k.frame),
      layer.masks[0]!.opacity.keyframes.map((k) => k.frame),
      layer.effects[0]!.params.radius!.keyframes.map((k) => k.frame),
    ]
    const bar = page.locator('[data-testid="layer-bar"][data-layer-id="slid"]')
    const diamond = page.locator('[data-testid="keyframe"][data-keyframe-id="p0"]')
    await expect.poll(() => diamond.count(), POLL).toBe(1)
    async function dragBar(dx: number) {
      const b = (await bar.boundingBox())!
      const from = { x: b.x + b.width * 0.6, y: b.y + b.height / 2 }
      await page.mouse.move(from.x, from.y)
      await page.mouse.down()
      await page.mouse.move(from.x + dx / 2, from.y, { steps: 4 })
      await page.mouse.move(from.x + dx, from.y, { steps: 4 })
      await page.mouse.up()
    }

    const diamondBefore = (await diamond.boundingBox())!
    const barBefore = (await bar.boundingBox())!
    await dragBar(120)
    await expect.poll(saveState, POLL).toBe('saved')
    await expect.poll(async () => (await slid()).inPoint, POLL).toBeGreaterThan(0)
    const later = await slid()
    const d = later.inPoint
    expect([later.outPoint, later.startTime]).toEqual([48 + d, d])
    expect(keys(later)).toEqual([[10 + d, 30 + d], [12 + d, 20 + d], [5 + d, 25 + d]])
    // On screen the keyframe travelled as far as the bar did.
    const diamondAfter = (await diamond.boundingBox())!
    const barAfter = (await bar.boundingBox())!
    expect(Math.abs((diamondAfter.x - diamondBefore.x) - (barAfter.x - barBefore.x))).toBeLessThanOrEqual(1)
    expect(diamondAfter.x).toBeGreaterThan(diamondBefore.x + 20)
    await shootBoth('layers-slid-later')

    // Back past the composition's start: keyframes go before frame 0 with the layer.
    const ppf = (barAfter.x - barBefore.x) / d
    await dragBar(-(d + 15) * ppf)
    await expect.poll(async () => (await slid()).inPoint, POLL).toBeLessThan(0)
    await expect.poll(saveState, POLL).toBe('saved')
    const earlier = await slid()
    const e = earlier.inPoint
    expect(keys(earlier)).toEqual([[10 + e, 30 + e], [12 + e, 20 + e], [5 + e, 25 + e]])
    expect(keys(earlier)[0]![0]).toBeLessThan(0)
    // The whole drag is one undo step.
    await page.getByTestId('editor-undo').click()
    await expect.poll(async () => (await slid()).inPoint, POLL).toBe(d)
    await expect.poll(saveState, POLL).toBe('saved')
    expect(keys(await slid())).toEqual(keys(later))
    expect(app.pageErrors).toEqual([])
  })

  it('drops a video that lasts as long as its clip and shows its first frame without an error banner', async () => {
    await page.goto(`/projects/${projectId}`)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('640×360')
    // Every banner the viewport shows is recorded, however briefly.
    await page.evaluate(() => {
      const seen: string[] = []
      ;(window as unknown as { viewportErrors: string[] }).viewportErrors = seen
      new MutationObserver(() => {
        document.querySelectorAll('[data-testid="viewport-error"]').forEach((el) => seen.push(el.textContent ?? ''))
      }).observe(document.body, { subtree: true, childList: true, characterData: true })
    })
    await page.getByTestId('left-tab-assets').click()
    const item = page.locator(`[data-testid="assets-panel-item"][data-asset-id="${videoId}"]`)
    await expect.poll(() => item.count(), POLL).toBe(1)
    const s = await scale()
    await item.dragTo(frame(), { targetPosition: { x: 320 * s, y: 180 * s } })
    await expect.poll(async () => (await savedLayers()).some((layer) => layer.kind === 'video'), POLL).toBe(true)
    const video = (await storedLayers()).find((layer) => layer.kind === 'video')!
    // One second at 24 fps, in a 96-frame composition.
    expect([video.inPoint, video.outPoint]).toEqual([0, 24])
    expect(video.transform.anchor.value).toEqual([160, 120, 0])
    // The test pattern's colours are drawn in the middle of the frame.
    const colourful = (r: number, g: number, b: number) => Math.max(r, g, b) - Math.min(r, g, b) > 80
    await expect.poll(async () => { const b = await boxOf(colourful); return b ? b.right - b.left : 0 }, POLL).toBeGreaterThan(250 * s)
    await shootBoth('layers-video-dropped')
    expect(await page.evaluate(() => (window as unknown as { viewportErrors: string[] }).viewportErrors)).toEqual([])
    expect(await page.getByTestId('viewport-error').count()).toBe(0)
    // The bar ends at frame 24 of 96: a quarter of the timeline.
    const text = (await storedLayers()).find((layer) => layer.kind === 'text')!
    const full = (await page.locator(`[data-testid="layer-bar"][data-layer-id="${text.id}"]`).boundingBox())!
    const clip = (await page.locator(`[data-testid="layer-bar"][data-layer-id="${video.id}"]`).boundingBox())!
    expect(Math.abs(clip.x - full.x)).toBeLessThanOrEqual(1)
    expect(Math.abs(clip.width - full.width / 4)).toBeLessThanOrEqual(3)
    expect(app.pageErrors).toEqual([])
  })
})
