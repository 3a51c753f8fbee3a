import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { evaluateComposition, type LayerState, type Mat4 } from '../../shared/engine'
import type { ProjectDocument } from '../../shared/project'
import { BOOTSTRAP_TOKEN, addLayer as addLayerFromMenu, openApp, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 15_000, interval: 100 }

/** The solid's colour, and how far (sum of |ΔR|+|ΔG|+|ΔB|) a pixel may be from it to count as the solid. */
const SOLID = [255, 32, 0] as const
const SOLID_MATCH = 60
/** Pixels: how far the measured centre of the solid may be from where the engine puts it (edges are not anti-aliased, so ±½ px each). */
const TOLERANCE = 1
const SOLID_SIZE = { width: 160, height: 120 }

interface Snapshot {
  width: number
  height: number
  frame: string | null
  rgba: Buffer
}

/**
 * A small animated shot built only through the editor's UI, reloaded, then checked in the
 * pixels the viewport's WebGL renderer drew, against the engine's evaluation of the saved document.
 */
describe('an animated shot', () => {
  let app: BrowserApp
  let page: Page
  let projectId = ''
  let script: ReturnType<typeof createLatticeClient>

  const rows = () => page.getByTestId('layer-row')
  const saveState = () => page.getByTestId('editor-save-state').getAttribute('data-state')
  const frameShown = () => page.getByTestId('timeline-frame').textContent()
  const canvas = () => page.getByTestId('viewport-canvas')
  const positionKeys = () => page.locator('[data-testid="keyframe"][data-path="transform.position"]')

  const addLayer = (label: string) => addLayerFromMenu(page, label)
  /** Types a value and leaves the field (Tab), which commits it, as a user tabbing through fields does. */
  async function commit(locator: ReturnType<Page['getByTestId']>, value: string) {
    await locator.fill(value)
    await locator.press('Tab')
    await expect.poll(() => locator.inputValue(), POLL).toBe(value)
  }
  /** Moves the playhead with the keyboard (Home, then Shift+→ for tens, → for ones). */
  async function goToFrame(frame: number) {
    await page.getByTestId('editor-viewport').click({ position: { x: 5, y: 5 } })
    await page.keyboard.press('Home')
    for (let i = 0; i < Math.floor(frame / 10); i++) await page.keyboard.press('Shift+ArrowRight')
    for (let i = 0; i < frame % 10; i++) await page.keyboard.press('ArrowRight')
    await expect.poll(frameShown, POLL).toMatch(new RegExp(`^${frame}(\\D|$)`))
  }

  /** Waits for the viewport to have drawn `frame`, then copies its canvas into a 2D canvas and reads it. */
  async function snapshot(frame: number): Promise<Snapshot> {
    await expect.poll(() => canvas().getAttribute('data-frame'), POLL).toBe(String(frame))
    const shot = await canvas().evaluate((element) => {
      const source = element as HTMLCanvasElement
      const copy = document.createElement('canvas')
      copy.width = source.width
      copy.height = source.height
      const context = copy.getContext('2d')!
      context.drawImage(source, 0, 0)
      const data = context.getImageData(0, 0, copy.width, copy.height).data
      let binary = ''
      for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000))
      return { width: copy.width, height: copy.height, frame: source.getAttribute('data-frame'), base64: btoa(binary) }
    })
    return { width: shot.width, height: shot.height, frame: shot.frame, rgba: Buffer.from(shot.base64, 'base64') }
  }

  const pixel = (shot: Snapshot, x: number, y: number): number[] => {
    const i = (Math.floor(y) * shot.width + Math.floor(x)) * 4
    return [shot.rgba[i]!, shot.rgba[i + 1]!, shot.rgba[i + 2]!, shot.rgba[i + 3]!]
  }
  const isSolid = (rgba: number[]) => Math.abs(rgba[0]! - SOLID[0]) + Math.abs(rgba[1]! - SOLID[1]) + Math.abs(rgba[2]! - SOLID[2]) <= SOLID_MATCH

  /** First and last solid-coloured pixel along a row or column through (x, y); pixel i covers [i, i + 1). */
  function extent(shot: Snapshot, axis: 'x' | 'y', x: number, y: number): [number, number] | null {
    const length = axis === 'x' ? shot.width : shot.height
    let first = -1
    let last = -1
    for (let i = 0; i < length; i++) {
      if (isSolid(axis === 'x' ? pixel(shot, i, y) : pixel(shot, x, i))) {
        if (first < 0) first = i
        last = i
      }
    }
    return first < 0 ? null : [first, last]
  }

  /** Layer space → composition pixels with the engine's world matrix (column-major). */
  const toComp = (m: Mat4, x: number, y: number): [number, number] => [m[0]! * x + m[4]! * y + m[12]!, m[1]! * x + m[5]! * y + m[13]!]

  let doc: ProjectDocument
  const solidAt = (frame: number): LayerState => {
    const state = evaluateComposition(doc, doc.mainCompositionId, frame)
    const solid = state.layers.find((layer) => layer.name === 'Solid 1')
    if (!solid) throw new Error('no solid in the saved document')
    return solid
  }

  /** The solid's measured centre on screen, and that the ellipse mask cut its corners. */
  function checkSolid(shot: Snapshot, frame: number): { centre: [number, number]; expected: [number, number] } {
    expect(shot.frame).toBe(String(frame))
    expect([shot.width, shot.height]).toEqual([640, 360])
    const solid = solidAt(frame)
    const expected = toComp(solid.worldMatrix, SOLID_SIZE.width / 2, SOLID_SIZE.height / 2)

    const across = extent(shot, 'x', 0, Math.floor(expected[1]))
    expect(across, `no solid pixels on row ${Math.floor(expected[1])} at frame ${frame}`).not.toBeNull()
    const centreX = (across![0] + across![1] + 1) / 2
    const down = extent(shot, 'y', Math.floor(centreX), 0)
    expect(down, `no solid pixels on column ${Math.floor(centreX)} at frame ${frame}`).not.toBeNull()
    const centreY = (down![0] + down![1] + 1) / 2
    expect(Math.abs(centreX - expected[0]), `x ${centreX} vs engine ${expected[0]} at frame ${frame}`).toBeLessThanOrEqual(TOLERANCE)
    expect(Math.abs(centreY - expected[1]), `y ${centreY} vs engine ${expected[1]} at frame ${frame}`).toBeLessThanOrEqual(TOLERANCE)
    // Through the centre the ellipse is as wide and tall as the solid.
    expect(Math.abs(across![1] - across![0] + 1 - SOLID_SIZE.width)).toBeLessThanOrEqual(3)
    expect(Math.abs(down![1] - down![0] + 1 - SOLID_SIZE.height)).toBeLessThanOrEqual(3)

    // Inside the solid's rectangle but outside the ellipse: cut by the mask, so background (black).
    for (const [lx, ly] of [[8, 8], [SOLID_SIZE.width - 8, 8], [8, SOLID_SIZE.height - 8], [SOLID_SIZE.width - 8, SOLID_SIZE.height - 8]] as const) {
      const [cx, cy] = toComp(solid.worldMatrix, lx, ly)
      const rgba = pixel(shot, cx, cy)
      expect(isSolid(rgba), `corner (${lx}, ${ly}) at (${cx}, ${cy}) frame ${frame}: ${rgba}`).toBe(false)
      expect(Math.max(rgba[0]!, rgba[1]!, rgba[2]!), `corner at (${cx}, ${cy}) frame ${frame}: ${rgba}`).toBeLessThan(20)
    }
    // Just inside the ellipse, next to the cut corner: still the solid.
    const [ix, iy] = toComp(solid.worldMatrix, SOLID_SIZE.width * 0.25, SOLID_SIZE.height * 0.3)
    expect(isSolid(pixel(shot, ix, iy)), `inside the mask at (${ix}, ${iy}) frame ${frame}`).toBe(true)
    return { centre: [centreX, centreY], expected }
  }

  beforeAll(async () => {
    app = await openApp()
    page = app.page
    script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    await signIn(page)
  })
  afterAll(async () => {
    await app?.dispose()
  })

  it('creates a project and builds the shot through the editor', async () => {
    await page.getByTestId('project-list').waitFor()
    await page.getByTestId('project-new').click()
    await page.getByTestId('project-name').fill('Shot test')
    await page.getByTestId('project-width').fill('640')
    await page.getByTestId('project-height').fill('360')
    await page.getByTestId('project-fps').fill('24')
    await page.getByTestId('project-frames').fill('48')
    await page.getByTestId('project-create-submit').click()
    await page.getByTestId('project-create-form').waitFor({ state: 'hidden' })
    // The new project opens in the editor.
    await page.waitForURL((url) => /^\/projects\/[0-9a-f-]{36}$/.test(url.pathname))
    projectId = new URL(page.url()).pathname.split('/').pop()!
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('640×360')

    // A red-orange 160×120 solid, anchored at its centre.
    await addLayer('Solid')
    await expect.poll(() => rows().count(), POLL).toBe(1)
    await page.getByLabel('Solid colour').fill('#ff2000')
    await commit(page.getByLabel('Solid width'), String(SOLID_SIZE.width))
    await commit(page.getByLabel('Solid height'), String(SOLID_SIZE.height))
    await commit(page.getByTestId('value-transform-anchor-0'), String(SOLID_SIZE.width / 2))
    await commit(page.getByTestId('value-transform-anchor-1'), String(SOLID_SIZE.height / 2))

    // Position keyed at frame 0 (120, 150) and frame 20 (520, 150).
    await goToFrame(0)
    await page.getByTestId('stopwatch-transform-position').click()
    await expect.poll(() => positionKeys().count(), POLL).toBe(1)
    await commit(page.getByTestId('value-transform-position-0'), '120')
    await commit(page.getByTestId('value-transform-position-1'), '150')
    await goToFrame(20)
    await commit(page.getByTestId('value-transform-position-0'), '520')
    await expect.poll(() => positionKeys().count(), POLL).toBe(2)
    expect(await positionKeys().nth(1).getAttribute('data-frame')).toBe('20')

    // Ease in from the first keyframe (not symmetric, so the middle frame is not halfway).
    await positionKeys().nth(0).click()
    await page.getByTestId('keyframe-ease').click()
    await page.getByRole('menuitem', { name: 'easeIn', exact: true }).click()
    await expect.poll(() => page.getByTestId('keyframe-ease').textContent(), POLL).toContain('easeIn')

    // An ellipse mask fitted to the solid: its corners are cut away.
    await page.getByTestId('mask-add').click()
    await page.getByRole('menuitem', { name: 'Ellipse (fits layer)' }).click()
    await expect.poll(() => page.getByTestId('mask').count(), POLL).toBe(1)
    await expect.poll(() => page.getByTestId('value-masks-0-path-2').inputValue(), POLL).toBe(String(SOLID_SIZE.width))
    expect(await page.getByTestId('value-masks-0-path-3').inputValue()).toBe(String(SOLID_SIZE.height))

    // A text layer at the bottom left, clear of the solid's path.
    await addLayer('Text')
    await expect.poll(() => rows().count(), POLL).toBe(2)
    await page.locator('[data-testid="text-content"] textarea, textarea[data-testid="text-content"]').fill('Shot')
    await commit(page.getByTestId('value-transform-position-0'), '40')
    await commit(page.getByTestId('value-transform-position-1'), '330')
  })

  it('autosaves the shot as built', async () => {
    await expect.poll(saveState, POLL).toBe('saved')
    const stored = await script.api.projects.get.query({ id: projectId })
    doc = stored.document as ProjectDocument
    const layers = doc.compositions[doc.mainCompositionId]!.layers
    expect(layers.map((layer) => [layer.kind, layer.name])).toEqual([['text', 'Text 1'], ['solid', 'Solid 1']])
    const solid = layers[1]!
    expect(solid.kind === 'solid' && solid.data).toMatchObject({ color: '#ff2000', ...SOLID_SIZE })
    const keys = solid.transform.position.keyframes
    expect(keys.map((key) => [key.frame, key.value[0], key.value[1]])).toEqual([[0, 120, 150], [20, 520, 150]])
    expect(keys[0]!.easing).toBe('easeIn')
    expect(solid.masks).toHaveLength(1)
    expect(solid.masks[0]).toMatchObject({ mode: 'add', inverted: false })
    expect(solid.masks[0]!.path.value.vertices).toHaveLength(4)
    const text = layers[0]!
    expect(text.kind === 'text' && text.data.text).toBe('Shot')
  })

  it('after a reload, the viewport draws the solid where the engine puts it, masked, at frames 0 and 20', async () => {
    await page.reload()
    await expect.poll(() => rows().count(), POLL).toBe(2)

    await goToFrame(0)
    const first = checkSolid(await snapshot(0), 0)
    expect(first.expected[0]).toBeCloseTo(120, 6)
    expect(first.expected[1]).toBeCloseTo(150, 6)

    // The text is drawn too: white pixels at the bottom left, none of them the solid's.
    const shot = await snapshot(0)
    let bright = 0
    for (let y = 290; y < 345; y++) for (let x = 30; x < 200; x++) if (Math.min(...pixel(shot, x, y).slice(0, 3)) > 200) bright++
    expect(bright).toBeGreaterThan(30)

    await goToFrame(20)
    const last = checkSolid(await snapshot(20), 20)
    expect(last.expected[0]).toBeCloseTo(520, 6)
    // Frame 20's solid is nowhere near frame 0's place.
    expect(last.centre[0] - first.centre[0]).toBeGreaterThan(380)
  })

  it('the frame between follows the ease, not a straight line', async () => {
    await goToFrame(10)
    const middle = checkSolid(await snapshot(10), 10)
    const linear = (120 + 520) / 2
    // easeIn starts slowly: the engine has the solid well short of halfway ...
    expect(linear - middle.expected[0]).toBeGreaterThan(30)
    // ... and so does the picture (measured within TOLERANCE of the engine above).
    expect(linear - middle.centre[0]).toBeGreaterThan(30)
    expect(app.pageErrors).toEqual([])
  })
})
