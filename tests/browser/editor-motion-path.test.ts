import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { valueAt } from '../../shared/engine'
import { createEmptyDocument, parseDocument, type Keyframe, type LayerInput, type ProjectDocument, type Vec3 } from '../../shared/project'
import { BOOTSTRAP_TOKEN, openApp, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 20_000, interval: 100 }
type Point = { x: number; y: number }

/** The motion path of a solid's position keyframes, drawn and dragged on the canvas. */
describe('the motion path on the canvas', () => {
  let app: BrowserApp
  let page: Page
  let projectId = ''
  let script: ReturnType<typeof createLatticeClient>
  const shots = () => process.env.LATTICE_SCREENSHOTS || app.files

  const frame = () => page.getByTestId('viewport-frame')
  const scale = async () => Number(await frame().getAttribute('data-scale'))
  const saveState = () => page.getByTestId('editor-save-state').getAttribute('data-state')
  const frameShown = () => page.getByTestId('timeline-frame').textContent()
  const dots = () => page.getByTestId('motion-path-dot')
  const dot = (n: number) => page.locator(`[data-testid="motion-path-dot"][data-frame="${n}"]`)
  const square = (id: string) => page.locator(`[data-testid="motion-path-key"][data-keyframe-id="${id}"]`)
  const tangent = (side: 'in' | 'out', id: string) => page.locator(`[data-testid="motion-path-tangent-${side}"][data-keyframe-id="${id}"]`)

  /** The stored position keyframes once the autosave has caught up; null while it has not. */
  async function savedKeys(layerId = 'mover'): Promise<Keyframe<Vec3>[] | null> {
    if ((await saveState()) !== 'saved') return null
    const { document } = (await script.api.projects.get.query({ id: projectId })) as { document: ProjectDocument }
    return document.compositions[document.mainCompositionId]!.layers.find((layer) => layer.id === layerId)!.transform.position.keyframes
  }
  /** Polls until the saved keyframe `id` passes `check`, and returns the saved keyframes. */
  async function savedWhen(id: string, check: (keyframe: Keyframe<Vec3>) => boolean, layerId = 'mover'): Promise<Keyframe<Vec3>[]> {
    let keys: Keyframe<Vec3>[] | null = null
    await expect.poll(async () => {
      keys = await savedKeys(layerId)
      const keyframe = keys?.find((each) => each.id === id)
      return keyframe ? check(keyframe) : false
    }, POLL).toBe(true)
    return keys!
  }
  const near = (a: readonly number[] | undefined, b: readonly number[], tolerance = 1) =>
    !!a && b.every((v, i) => Math.abs((a[i] ?? Number.NaN) - v) <= tolerance)

  async function centre(locator: Locator): Promise<Point> {
    const box = (await locator.boundingBox())!
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 }
  }
  /** Where composition point (x, y) is on screen. */
  async function onScreen(x: number, y: number): Promise<Point> {
    const box = (await frame().boundingBox())!
    const s = await scale()
    return { x: box.x + x * s, y: box.y + y * s }
  }
  async function dragBy(locator: Locator, dx: number, dy: number): Promise<void> {
    const from = await centre(locator)
    await page.mouse.move(from.x, from.y)
    await page.mouse.down()
    await page.mouse.move(from.x + dx / 2, from.y + dy / 2, { steps: 4 })
    await page.mouse.move(from.x + dx, from.y + dy, { steps: 4 })
    await page.mouse.up()
  }

  /** Frames 0–10 straight right, 10–20 down-right, all linear. */
  const KEYS = [
    { id: 'ka', frame: 0, value: [100, 100, 0] },
    { id: 'kb', frame: 10, value: [300, 100, 0] },
    { id: 'kc', frame: 20, value: [500, 260, 0] },
  ]
  const CHILD_KEYS = [{ id: 'k1', frame: 0, value: [0, 0, 0] }, { id: 'k2', frame: 10, value: [200, 0, 0] }]
  /** The rig's world matrix: scaled by half, turned 90° clockwise, moved to (320, 180). */
  const rigToComp = (x: number, y: number): [number, number] => [320 - 0.5 * y, 180 + 0.5 * x]
  const straightAt = (f: number): [number, number] => (f <= 10 ? [100 + 20 * f, 100] : [300 + 20 * (f - 10), 100 + 16 * (f - 10)])

  beforeAll(async () => {
    app = await openApp()
    page = app.page
    script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const created = await script.api.projects.create.mutate({ name: 'Motion path test', width: 640, height: 360, fps: 24, frameCount: 48 })
    projectId = created.id
    const base = createEmptyDocument({ name: 'Motion path test', width: 640, height: 360, fps: 24 })
    const solid = {
      id: 'mover', kind: 'solid', name: 'Mover', inPoint: 0, outPoint: 48, data: { color: '#ff2020', width: 40, height: 40 },
      transform: { anchor: { value: [20, 20, 0] }, position: { value: [100, 100, 0], keyframes: KEYS } },
    } as unknown as LayerInput
    // A half-size rig turned a quarter clockwise about (320, 180), carrying a child whose path lies in the rig's space.
    const rig = {
      id: 'rig', kind: 'null', name: 'Rig', inPoint: 0, outPoint: 48,
      transform: { position: { value: [320, 180, 0] }, rotation: { value: 90 }, scale: { value: [50, 50, 100] } },
    } as unknown as LayerInput
    const child = {
      id: 'child', kind: 'solid', name: 'Child', inPoint: 0, outPoint: 48, parentId: 'rig', data: { color: '#20ff20', width: 40, height: 40 },
      transform: { anchor: { value: [20, 20, 0] }, position: { value: [0, 0, 0], keyframes: CHILD_KEYS } },
    } as unknown as LayerInput
    const main = base.compositions[base.mainCompositionId]!
    const document = parseDocument({ ...base, compositions: { [base.mainCompositionId]: { ...main, frameCount: 48, layers: [solid, child, rig] } } }).document
    await script.api.projects.save.mutate({ id: created.id, revision: created.revision, document })
    await signIn(page)
  })
  afterAll(async () => { await app?.dispose() })

  it('draws a dot per frame between the keyframes and a square at each keyframe', async () => {
    await page.goto(`/projects/${projectId}`)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('640×360')
    expect(await page.getByTestId('motion-path').count()).toBe(0)
    await page.getByTestId('layer-row').filter({ hasText: 'Mover' }).click()
    await expect.poll(() => dots().count(), POLL).toBe(21)

    for (let f = 0; f <= 20; f++) {
      const [x, y] = straightAt(f)
      const expected = await onScreen(x, y)
      const at = await centre(dot(f))
      expect(Math.abs(at.x - expected.x), `dot ${f} x`).toBeLessThanOrEqual(1)
      expect(Math.abs(at.y - expected.y), `dot ${f} y`).toBeLessThanOrEqual(1)
    }
    expect(await page.getByTestId('motion-path-key').count()).toBe(3)
    for (const key of KEYS) {
      const expected = await onScreen(key.value[0]!, key.value[1]!)
      const at = await centre(square(key.id))
      expect(Math.abs(at.x - expected.x) + Math.abs(at.y - expected.y), `square ${key.id}`).toBeLessThanOrEqual(1)
    }
    // The editor opens at frame 0: the first keyframe's square is the filled one.
    expect(await page.locator('[data-testid="motion-path-key"][data-current]').getAttribute('data-keyframe-id')).toBe('ka')
    expect(await square('kb').locator('title').textContent()).toBe('Drag to move this keyframe; Alt-drag to pull out its curve handles')
    expect(await page.getByTestId('motion-path-tangent-in').count()).toBe(0)
    expect(app.pageErrors).toEqual([])
  })

  it('moves a keyframe when its square is dragged, and Ctrl+Z puts it back', async () => {
    const s = await scale()
    await dragBy(square('kb'), 0, 60 * s)
    const moved = await savedWhen('kb', (keyframe) => near(keyframe.value, [300, 160, 0]))
    expect(moved.find((each) => each.id === 'kb')!.value[2]).toBe(0)
    expect(moved.map((each) => each.frame)).toEqual([0, 10, 20])
    // The path follows: frame 5 is halfway to the moved keyframe.
    const expected = await onScreen(200, 130)
    await expect.poll(async () => {
      const at = await centre(dot(5))
      return Math.abs(at.x - expected.x) <= 1.5 && Math.abs(at.y - expected.y) <= 1.5
    }, POLL).toBe(true)

    await page.keyboard.press('ControlOrMeta+z')
    const undone = await savedWhen('kb', (keyframe) => keyframe.value[1] === 100)
    expect(undone.find((each) => each.id === 'kb')!.value).toEqual([300, 100, 0])
    expect(app.pageErrors).toEqual([])
  })

  it('pulls curve handles out of a keyframe with Alt-drag, and the layer follows the curve', async () => {
    const s = await scale()
    await page.keyboard.down('Alt')
    await dragBy(square('kb'), 80 * s, -60 * s)
    await page.keyboard.up('Alt')
    const pulled = (await savedWhen('kb', (keyframe) => near(keyframe.spatialOut, [80, -60, 0]))).find((each) => each.id === 'kb')!
    expect(near(pulled.spatialIn, [-80, 60, 0])).toBe(true)
    expect(pulled.value).toEqual([300, 100, 0])
    await expect.poll(() => tangent('out', 'kb').count(), POLL).toBe(1)
    expect(await tangent('in', 'kb').count()).toBe(1)
    const squareAt = await centre(square('kb'))
    const outAt = await centre(tangent('out', 'kb'))
    expect(Math.abs(outAt.x - (squareAt.x + 80 * s)) + Math.abs(outAt.y - (squareAt.y - 60 * s))).toBeLessThanOrEqual(2)

    // The in-tangent points back and down, so frame 5 sags below the straight line y = 100.
    const line = await onScreen(200, 100)
    await expect.poll(async () => (await centre(dot(5))).y - line.y, POLL).toBeGreaterThan(10 * s)
    const keys = (await savedKeys())!
    const at5 = valueAt({ value: [0, 0, 0] as Vec3, keyframes: keys }, 5, { spatial: true })
    const expectedDot = await onScreen(at5[0], at5[1])
    const dotAt = await centre(dot(5))
    expect(Math.abs(dotAt.x - expectedDot.x) + Math.abs(dotAt.y - expectedDot.y)).toBeLessThanOrEqual(2)

    // At frame 5 the renderer draws the solid (40×40, centred on its position) on the curve.
    await page.keyboard.press('Home')
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight')
    await expect.poll(frameShown, POLL).toMatch(/^5\b/)
    const hidden = await page.addStyleTag({ content: '[data-testid="transform-handles"], [data-testid="motion-path"] { visibility: hidden !important }' })
    await expect.poll(async () => {
      const { data, info } = await sharp(await page.getByTestId('viewport-canvas').screenshot()).raw().toBuffer({ resolveWithObject: true })
      let sx = 0
      let sy = 0
      let n = 0
      for (let y = 0; y < info.height; y++) {
        for (let x = 0; x < info.width; x++) {
          const i = (y * info.width + x) * info.channels
          if (data[i]! > 150 && data[i + 1]! < 90 && data[i + 2]! < 90) { sx += x; sy += y; n++ }
        }
      }
      if (n === 0) return null
      return Math.hypot(sx / n / s - at5[0], sy / n / s - at5[1]) <= 1.5
    }, POLL).toBe(true)
    await hidden.evaluate((element) => (element as unknown as { remove(): void }).remove())
    await page.screenshot({ path: join(shots(), 'motion-path-curved.png') })
    expect(app.pageErrors).toEqual([])
  })

  it('mirrors the other handle when a tangent handle is dragged, and Alt-drag moves one alone', async () => {
    const s = await scale()
    await dragBy(tangent('out', 'kb'), 0, 100 * s)
    const bent = (await savedWhen('kb', (keyframe) => near(keyframe.spatialOut, [80, 40, 0]))).find((each) => each.id === 'kb')!
    expect(near(bent.spatialIn, [-80, -40, 0])).toBe(true)
    const squareAt = await centre(square('kb'))
    await expect.poll(async () => {
      const inAt = await centre(tangent('in', 'kb'))
      return Math.abs(inAt.x - (squareAt.x - 80 * s)) + Math.abs(inAt.y - (squareAt.y - 40 * s))
    }, POLL).toBeLessThanOrEqual(2)

    await page.keyboard.down('Alt')
    await dragBy(tangent('in', 'kb'), 0, 60 * s)
    await page.keyboard.up('Alt')
    const broken = (await savedWhen('kb', (keyframe) => near(keyframe.spatialIn, [-80, 20, 0]))).find((each) => each.id === 'kb')!
    expect(near(broken.spatialOut, [80, 40, 0])).toBe(true)
    expect(app.pageErrors).toEqual([])
  })

  it('stays readable at common screen sizes', async () => {
    for (const size of [{ width: 1440, height: 900 }, { width: 1920, height: 1080 }]) {
      await page.setViewportSize(size)
      // Drawn at the new fit: the first dot sits on the first keyframe.
      await expect.poll(async () => {
        const expected = await onScreen(100, 100)
        const at = await centre(dot(0))
        return Math.abs(at.x - expected.x) + Math.abs(at.y - expected.y)
      }, POLL).toBeLessThanOrEqual(1.5)
      await page.screenshot({ path: join(shots(), `motion-path-${size.width}x${size.height}.png`) })
      await page.getByTestId('viewport-frame').screenshot({ path: join(shots(), `motion-path-${size.width}x${size.height}-viewport.png`) })
    }
    expect(app.pageErrors).toEqual([])
  })

  it("draws a parented layer's path through its parent, and drags move keyframes in the parent's space", async () => {
    await page.getByTestId('layer-row').filter({ hasText: 'Child' }).click()
    await expect.poll(() => dots().count(), POLL).toBe(11)
    for (const f of [0, 4, 10]) {
      const [x, y] = rigToComp(20 * f, 0)
      const expected = await onScreen(x, y)
      const at = await centre(dot(f))
      expect(Math.abs(at.x - expected.x) + Math.abs(at.y - expected.y), `dot ${f}`).toBeLessThanOrEqual(1.5)
    }
    // 40 px right on screen is 80 px up in the rig's space (twice as large, turned back a quarter).
    const s = await scale()
    await dragBy(square('k2'), 40 * s, 0)
    const moved = await savedWhen('k2', (keyframe) => near(keyframe.value, [200, -80, 0]), 'child')
    expect(moved.find((each) => each.id === 'k1')!.value).toEqual([0, 0, 0])
    const [x, y] = rigToComp(200, -80)
    const expected = await onScreen(x, y)
    await expect.poll(async () => {
      const at = await centre(square('k2'))
      return Math.abs(at.x - expected.x) + Math.abs(at.y - expected.y)
    }, POLL).toBeLessThanOrEqual(1.5)
    await page.screenshot({ path: join(shots(), 'motion-path-parented.png') })
    expect(app.pageErrors).toEqual([])
  })
})
