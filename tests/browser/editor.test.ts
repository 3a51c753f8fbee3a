import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import type { ProjectDocument } from '../../shared/project'
import { BOOTSTRAP_TOKEN, addLayer as addLayerFromMenu, openApp, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 15_000, interval: 100 }

/** The editor as a user drives it: layers, keyframes, eases, undo, autosave, conflicts. */
describe('the editor', () => {
  let app: BrowserApp
  let page: Page
  let projectId = ''
  let script: ReturnType<typeof createLatticeClient>

  const rows = () => page.getByTestId('layer-row')
  const positionKeys = () => page.locator('[data-testid="keyframe"][data-path="transform.position"]')
  const saveState = () => page.getByTestId('editor-save-state').getAttribute('data-state')
  const frameShown = () => page.getByTestId('timeline-frame').textContent()
  const stored = async () => (await script.api.projects.get.query({ id: projectId })) as { revision: number; document: ProjectDocument }

  const addLayer = (label: string) => addLayerFromMenu(page, label)

  beforeAll(async () => {
    app = await openApp()
    page = app.page
    script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const created = await script.api.projects.create.mutate({ name: 'Editor test', width: 640, height: 360, fps: 24, frameCount: 48 })
    projectId = created.id
    await signIn(page)
  })
  afterAll(async () => {
    await app?.dispose()
  })

  it('opens the project with an empty composition', async () => {
    await page.goto(`/projects/${projectId}`)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('640×360')
    expect(await page.getByTestId('layer-list').textContent()).toContain('No layers yet.')
    expect(await page.getByTestId('editor-undo').isDisabled()).toBe(true)
  })

  it('adds a solid and a text layer', async () => {
    await addLayer('Solid')
    await expect.poll(() => rows().count(), POLL).toBe(1)
    await addLayer('Text')
    await expect.poll(() => rows().count(), POLL).toBe(2)
    // New layers go above the selection and become selected.
    expect(await rows().nth(0).getByTestId('layer-name').textContent()).toBe('Text 1')
    expect(await rows().nth(1).getByTestId('layer-name').textContent()).toBe('Solid 1')
    expect(await page.getByTestId('properties-panel').textContent()).toContain('Text 1')
  })

  it('keys position at two frames and eases the first keyframe', async () => {
    await page.getByTestId('stopwatch-transform-position').click()
    await expect.poll(() => positionKeys().count(), POLL).toBe(1)

    // Ten frames on with the keyboard (outside any input).
    await page.getByTestId('editor-viewport').click()
    await page.keyboard.press('Shift+ArrowRight')
    await expect.poll(frameShown, POLL).toMatch(/^10/)

    const x = page.getByTestId('value-transform-position-0')
    await x.fill('100')
    await x.press('Enter')
    await expect.poll(() => positionKeys().count(), POLL).toBe(2)
    expect(await positionKeys().nth(1).getAttribute('data-frame')).toBe('10')

    // Between the keys the panel shows the engine's value.
    await page.getByTestId('editor-viewport').click()
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('ArrowLeft')
    await expect.poll(frameShown, POLL).toMatch(/^5/)
    // Linear from 320 (centre) to 100 over 10 frames: 210 at frame 5.
    await expect.poll(() => x.inputValue(), POLL).toBe('210')

    await positionKeys().nth(0).click()
    await page.getByTestId('keyframe-ease').click()
    await page.getByRole('menuitem', { name: 'easeInOut', exact: true }).click()
    await expect.poll(() => page.getByTestId('keyframe-ease').textContent(), POLL).toContain('easeInOut')
    // Ease in-out is symmetric: frame 5 is still halfway.
    await expect.poll(() => x.inputValue(), POLL).toBe('210')
  })

  it('undoes and redoes edits', async () => {
    await page.getByTestId('editor-undo').click()
    await expect.poll(() => page.getByTestId('keyframe-ease').textContent(), POLL).toContain('linear')
    await page.getByTestId('editor-undo').click()
    await expect.poll(() => positionKeys().count(), POLL).toBe(1)

    await page.getByTestId('editor-redo').click()
    await expect.poll(() => positionKeys().count(), POLL).toBe(2)
    // Keyboard redo too (focus outside inputs).
    await page.getByTestId('editor-viewport').click()
    await page.keyboard.press('ControlOrMeta+Shift+z')
    await expect.poll(() => page.getByTestId('keyframe-ease').textContent(), POLL).toContain('easeInOut')
    expect(await page.getByTestId('editor-redo').isDisabled()).toBe(true)
  })

  it('autosaves, and the layers and keyframes are there after a reload', async () => {
    await expect.poll(saveState, POLL).toBe('saved')
    const { document } = await stored()
    const layers = document.compositions[document.mainCompositionId]!.layers
    expect(layers.map((layer) => [layer.kind, layer.name])).toEqual([['text', 'Text 1'], ['solid', 'Solid 1']])
    const keys = layers[0]!.transform.position.keyframes
    expect(keys.map((keyframe) => keyframe.frame)).toEqual([0, 10])
    expect(keys[0]!.easing).toBe('easeInOut')
    expect(keys[1]!.value[0]).toBe(100)

    await page.reload()
    await expect.poll(() => rows().count(), POLL).toBe(2)
    expect(await positionKeys().count()).toBe(2)
    expect(await page.getByTestId('editor-undo').isDisabled()).toBe(true)
  })

  it('shapes a bezier segment in the graph editor by dragging its handle', async () => {
    await rows().nth(0).click()
    await page.getByTestId('stopwatch-transform-opacity').click()
    await page.getByTestId('editor-viewport').click()
    await page.keyboard.press('Shift+ArrowRight')
    await expect.poll(frameShown, POLL).toMatch(/^10/)
    await page.getByTestId('value-transform-opacity-0').fill('0')
    await page.getByTestId('value-transform-opacity-0').press('Enter')
    const opacityKeys = page.locator('[data-testid="keyframe"][data-path="transform.opacity"]')
    await expect.poll(() => opacityKeys.count(), POLL).toBe(2)

    await opacityKeys.nth(0).click()
    await page.getByTestId('keyframe-ease').click()
    await page.getByRole('menuitem', { name: 'Bezier (handles)', exact: true }).click()
    await page.getByTestId('property-name').filter({ hasText: 'Opacity' }).click()
    await page.getByTestId('graph-curve').first().waitFor()
    const handle = page.getByTestId('graph-handle-out')
    const box = (await handle.boundingBox())!
    const cx = box.x + box.width / 2
    const cy = box.y + box.height / 2
    await page.mouse.move(cx, cy)
    await page.mouse.down()
    await page.mouse.move(cx + 40, cy - 30, { steps: 5 })
    await page.mouse.up()

    await expect.poll(async () => {
      const { document } = await stored()
      return document.compositions[document.mainCompositionId]!.layers[0]!.transform.opacity.keyframes[0]?.outHandle?.influence ?? 0
    }, POLL).toBeGreaterThan(40)
    // One drag is one undo step.
    await page.getByTestId('editor-undo').click()
    await expect.poll(saveState, POLL).toBe('saved')
    const { document } = await stored()
    const first = document.compositions[document.mainCompositionId]!.layers[0]!.transform.opacity.keyframes[0]!
    expect(first.interpolation).toBe('bezier')
    expect(first.outHandle).toBeUndefined()
    await page.getByTestId('timeline-graph').click()
  })

  it('trims a layer by dragging the end of its bar', async () => {
    const solidBar = page.locator('[data-testid="layer-bar"]').nth(1)
    const out = solidBar.getByTestId('layer-trim-out')
    const box = (await out.boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x - 150, box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    const outPoint = async () => Number(await page.getByTestId('layer-out').inputValue())
    await expect.poll(outPoint, POLL).toBeLessThan(48)
    await expect.poll(saveState, POLL).toBe('saved')
    const { document } = await stored()
    expect(document.compositions[document.mainCompositionId]!.layers[1]!.outPoint).toBe(await outPoint())
    await page.getByTestId('editor-undo').click()
    await expect.poll(outPoint, POLL).toBe(48)
    await expect.poll(saveState, POLL).toBe('saved')
  })

  it('asks what to do when a script saved meanwhile: keep mine', async () => {
    const theirs = await stored()
    await script.api.projects.save.mutate({ id: projectId, revision: theirs.revision, document: theirs.document })

    await rows().nth(1).getByTestId('layer-visible').click()
    await expect.poll(() => page.getByTestId('editor-conflict').textContent(), POLL).toContain('saved elsewhere')
    await page.getByTestId('editor-keep-mine').click()
    await expect.poll(saveState, POLL).toBe('saved')
    const after = await stored()
    expect(after.revision).toBe(theirs.revision + 2)
    expect(after.document.compositions[after.document.mainCompositionId]!.layers[1]!.visible).toBe(false)
    await expect.poll(() => page.getByTestId('editor-revision').textContent(), POLL).toContain(String(after.revision))
  })

  it('asks what to do when a script saved meanwhile: reload theirs', async () => {
    const theirs = await stored()
    const doc = structuredClone(theirs.document)
    doc.compositions[doc.mainCompositionId]!.layers[0]!.name = 'Renamed by a script'
    await script.api.projects.save.mutate({ id: projectId, revision: theirs.revision, document: doc })

    await rows().nth(1).getByTestId('layer-lock').click()
    await expect.poll(() => page.getByTestId('editor-conflict').textContent(), POLL).toContain('saved elsewhere')
    await page.getByTestId('editor-reload').click()
    await expect.poll(() => page.getByTestId('editor-conflict').count(), POLL).toBe(0)
    await expect.poll(() => rows().nth(0).getByTestId('layer-name').textContent(), POLL).toBe('Renamed by a script')
    const after = await stored()
    expect(after.revision).toBe(theirs.revision + 1)
    expect(after.document.compositions[after.document.mainCompositionId]!.layers[1]!.locked).toBe(false)
    expect(await saveState()).toBe('saved')
  })

  it('adds, switches, nests and deletes compositions, refusing sizes that are not multiples of 8', async () => {
    await page.getByTestId('composition-menu').click()
    await page.getByRole('menuitem', { name: 'New composition…' }).click()
    await page.getByTestId('composition-name').fill('Inner')
    await page.getByTestId('composition-width').fill('1001')
    await expect.poll(() => page.getByTestId('composition-settings').textContent(), POLL).toContain('Width must be a multiple of 8 (got 1001); try 1000.')
    expect(await page.getByTestId('composition-settings-save').isDisabled()).toBe(true)
    await page.getByTestId('composition-width').fill('1024')
    await page.getByTestId('composition-settings-save').click()
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('1024×720')
    expect(await page.getByTestId('layer-list').textContent()).toContain('No layers yet.')

    await page.getByTestId('composition-select').click()
    await page.getByRole('option', { name: 'Editor test (main)' }).click()
    await expect.poll(() => rows().count(), POLL).toBe(2)
    await page.getByTestId('layer-add').click()
    await page.getByRole('menuitem', { name: 'Composition', exact: true }).hover()
    await page.getByRole('menuitem', { name: 'Inner', exact: true }).click()
    await expect.poll(() => rows().count(), POLL).toBe(3)

    // A composition in use cannot be deleted.
    await page.getByTestId('composition-select').click()
    await page.getByRole('option', { name: 'Inner' }).click()
    await page.getByTestId('composition-menu').click()
    expect(await page.getByRole('menuitem', { name: /Delete composition/ }).getAttribute('data-disabled')).not.toBeNull()
    await page.keyboard.press('Escape')

    await page.getByTestId('composition-select').click()
    await page.getByRole('option', { name: 'Editor test (main)' }).click()
    // The composition picker hands focus back as it closes; a Delete sent before that lands on it.
    await expect.poll(() => page.locator('[role="listbox"], [role="menu"]').count(), POLL).toBe(0)
    await rows().nth(0).click()
    await page.keyboard.press('Delete')
    await expect.poll(() => rows().count(), POLL).toBe(2)
    await page.getByTestId('composition-select').click()
    await page.getByRole('option', { name: 'Inner' }).click()
    await page.getByTestId('composition-menu').click()
    await page.getByRole('menuitem', { name: 'Delete composition', exact: true }).click()
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('640×360')
    await expect.poll(saveState, POLL).toBe('saved')
    expect(Object.keys((await stored()).document.compositions)).toEqual(['main'])
  })

  it('copies and pastes a layer, and saves before leaving the page', async () => {
    await rows().nth(1).click()
    await page.keyboard.press('ControlOrMeta+c')
    await page.keyboard.press('ControlOrMeta+v')
    await expect.poll(() => rows().count(), POLL).toBe(3)
    expect(await rows().nth(1).getByTestId('layer-name').textContent()).toBe('Solid 1 copy')

    // Straight away, before the autosave: leaving saves first.
    await page.getByTestId('main-nav').getByRole('link', { name: 'Projects' }).click()
    await page.waitForURL((url) => url.pathname === '/')
    const { document } = await stored()
    expect(document.compositions.main!.layers.map((layer) => layer.name)).toEqual(['Renamed by a script', 'Solid 1 copy', 'Solid 1'])
  })

  it('reorders by dragging, renames inline, offers only parents without cycles, and box-selects, deletes and pastes keyframes', async () => {
    await page.goto(`/projects/${projectId}`)
    await expect.poll(() => rows().count(), POLL).toBe(3)
    const name = (index: number) => rows().nth(index).getByTestId('layer-name').textContent()

    await rows().nth(2).dragTo(rows().nth(0), { targetPosition: { x: 40, y: 3 } })
    await expect.poll(() => name(0), POLL).toBe('Solid 1')
    expect(await name(1)).toBe('Renamed by a script')

    await rows().nth(0).getByTestId('layer-name').dblclick()
    await page.getByTestId('layer-name-input').fill('Background')
    await page.getByTestId('layer-name-input').press('Enter')
    await expect.poll(() => name(0), POLL).toBe('Background')

    // Background's parent is the copy; the copy then cannot take Background as its parent.
    await rows().nth(0).click()
    await page.getByTestId('layer-parent').click()
    await page.getByRole('option', { name: 'Solid 1 copy' }).click()
    await rows().nth(2).click()
    await page.getByTestId('layer-parent').click()
    expect(await page.getByRole('option', { name: 'Background' }).getAttribute('data-disabled')).not.toBeNull()
    await page.keyboard.press('Escape')
    await page.getByRole('listbox').waitFor({ state: 'detached' })

    // Box-select both opacity keys of the text layer and delete them.
    const opacityKeys = page.locator('[data-testid="keyframe"][data-path="transform.opacity"]')
    await expect.poll(() => opacityKeys.count(), POLL).toBe(2)
    const first = (await opacityKeys.nth(0).boundingBox())!
    const last = (await opacityKeys.nth(1).boundingBox())!
    // From the right of the last key (the first sits at the very start of the track) leftwards.
    await page.mouse.move(last.x + last.width + 6, last.y - 1)
    await page.mouse.down()
    await page.mouse.move(first.x + 1, first.y + first.height + 1, { steps: 4 })
    await page.mouse.up()
    await expect.poll(() => page.getByTestId('timeline').textContent(), POLL).toContain('2 keyframes')
    await page.keyboard.press('Delete')
    await expect.poll(() => opacityKeys.count(), POLL).toBe(0)

    // Copy the two position keys and paste them from frame 20.
    const positionKeys = page.locator('[data-testid="keyframe"][data-path="transform.position"]')
    await rows().nth(1).click()
    await positionKeys.nth(0).click()
    await positionKeys.nth(1).click({ modifiers: ['Shift'] })
    await page.keyboard.press('ControlOrMeta+c')
    await page.keyboard.press('Home')
    await page.keyboard.press('Shift+ArrowRight')
    await page.keyboard.press('Shift+ArrowRight')
    await expect.poll(frameShown, POLL).toMatch(/^20/)
    await page.keyboard.press('ControlOrMeta+v')
    await expect.poll(() => positionKeys.count(), POLL).toBe(4)
    expect(await positionKeys.evaluateAll((keys) => keys.map((key) => key.getAttribute('data-frame')))).toEqual(['0', '10', '20', '30'])

    // Double-clicking the row adds a keyframe there; undo takes it away again.
    const row = page.getByTestId('keyframe-row').first()
    const rowBox = (await row.boundingBox())!
    const fifth = (await positionKeys.nth(2).boundingBox())!
    await page.mouse.dblclick(fifth.x + fifth.width / 2 + (fifth.x - (await positionKeys.nth(1).boundingBox())!.x) / 2, rowBox.y + rowBox.height / 2)
    await expect.poll(() => positionKeys.count(), POLL).toBe(5)
    await page.getByTestId('editor-undo').click()
    await expect.poll(() => positionKeys.count(), POLL).toBe(4)

    await expect.poll(saveState, POLL).toBe('saved')
    const { document } = await stored()
    const layers = document.compositions.main!.layers
    expect(layers.map((layer) => layer.name)).toEqual(['Background', 'Renamed by a script', 'Solid 1 copy'])
    expect(layers[0]!.parentId).toBe(layers[2]!.id)
    expect(layers[1]!.transform.opacity.keyframes).toEqual([])
    expect(layers[1]!.transform.position.keyframes.map((key) => key.frame)).toEqual([0, 10, 20, 30])
    expect(layers[1]!.transform.position.keyframes[2]!.easing).toBe('easeInOut')
  })

  it('adds image and depth layers from assets picked in the library', async () => {
    const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 20, g: 120, b: 200 } } }).png().toBuffer()
    const { asset } = await script.uploadAsset(new Uint8Array(png), { name: 'plate.png' })

    await page.getByTestId('layer-add').click()
    await page.getByRole('menuitem', { name: 'Image…' }).click()
    await page.getByTestId('asset-picker-item').filter({ hasText: 'plate.png' }).click()
    await expect.poll(() => rows().count(), POLL).toBe(4)

    await page.getByTestId('layer-add').click()
    await page.getByRole('menuitem', { name: 'Depth…' }).click()
    await page.getByTestId('asset-picker-item').filter({ hasText: 'plate.png' }).click()
    // Then the depth map.
    await expect.poll(() => page.getByRole('dialog').textContent(), POLL).toContain('depth map')
    await page.getByTestId('asset-picker-item').filter({ hasText: 'plate.png' }).click()
    await expect.poll(() => rows().count(), POLL).toBe(5)

    await expect.poll(saveState, POLL).toBe('saved')
    const { document } = await stored()
    const image = document.compositions.main!.layers.find((layer) => layer.kind === 'image')
    const depth = document.compositions.main!.layers.find((layer) => layer.kind === 'depth')
    expect(image?.kind === 'image' && image.data.assetId).toBe(asset.id)
    expect(depth?.kind === 'depth' && [depth.data.assetId, depth.data.depthAssetId]).toEqual([asset.id, asset.id])
  })

  it('plays at the composition rate, steps, jumps and stops from the keyboard', async () => {
    await page.getByTestId('editor-viewport').click()
    await page.keyboard.press('End')
    await expect.poll(frameShown, POLL).toMatch(/^47/)
    await page.keyboard.press('Home')
    await expect.poll(frameShown, POLL).toMatch(/^0 /)
    await page.keyboard.press('ArrowRight')
    await expect.poll(frameShown, POLL).toMatch(/^1 /)

    await page.keyboard.press('Space')
    await page.waitForTimeout(600)
    await page.keyboard.press('k')
    const played = Number((await frameShown())?.match(/^\d+/)?.[0])
    // 24 fps for ~0.6 s is ~14 frames; allow for slow machines, but it must have moved on.
    expect(played).toBeGreaterThan(4)
    expect(played).toBeLessThan(40)
    await page.waitForTimeout(200)
    expect(Number((await frameShown())?.match(/^\d+/)?.[0])).toBe(played)

    // J plays backwards.
    await page.keyboard.press('j')
    await page.waitForTimeout(250)
    await page.keyboard.press('k')
    expect(Number((await frameShown())?.match(/^\d+/)?.[0])).toBeLessThan(played)
    expect(app.pageErrors).toEqual([])
  })
})
