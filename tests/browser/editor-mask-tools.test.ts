import { join } from 'node:path'
import type { Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { createEmptyDocument, parseDocument, type BezierPath, type LayerInput, type Mask, type ProjectDocument } from '../../shared/project'
import { BOOTSTRAP_TOKEN, openApp, screenshotFolder, shootBoth, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 20_000, interval: 100 }

/** A 400×200 red solid centred in a 640×360 composition: its own space starts at composition (120, 80). */
const LAYER_ORIGIN = [120, 80] as const

function plateDocument(masks: unknown[] = []) {
  const base = createEmptyDocument({ name: 'Mask tools', width: 640, height: 360, fps: 24 })
  const solid = {
    id: 'plate', kind: 'solid', name: 'Plate', inPoint: 0, outPoint: 24, masks,
    data: { color: '#dc1e1e', width: 400, height: 200 },
    transform: { anchor: { value: [200, 100, 0] }, position: { value: [320, 180, 0] } },
  } as unknown as LayerInput
  const comp = { ...base.compositions[base.mainCompositionId]!, frameCount: 24, backgroundColor: '#000000', layers: [solid] }
  return parseDocument({ ...base, compositions: { [base.mainCompositionId]: comp } }).document
}

/** The pen path the test draws, in the layer's own space: a box whose bottom edge bows out from the third vertex. */
const PEN_POINTS: [number, number][] = [[60, 30], [340, 30], [340, 170], [60, 170]]
const BULGE: [number, number] = [0, 60]

/** Drawing with the pen, editing points on the canvas, and the shape tools, as a user does with the mouse. */
describe('masks drawn and edited on the canvas', () => {
  let app: BrowserApp
  let page: Page
  let script: ReturnType<typeof createLatticeClient>
  let projectId = ''
  const shots = () => screenshotFolder(app)

  const saveState = () => page.getByTestId('editor-save-state').getAttribute('data-state')
  async function savedMasks(id = projectId): Promise<Mask[]> {
    await expect.poll(saveState, POLL).toBe('saved')
    const { document } = (await script.api.projects.get.query({ id })) as { document: ProjectDocument }
    return document.compositions[document.mainCompositionId]!.layers[0]!.masks
  }
  const scale = async () => Number(await page.getByTestId('viewport-frame').getAttribute('data-scale'))
  /** Page coordinates of a point in the layer's own space. */
  async function at(layerPoint: readonly number[]): Promise<{ x: number; y: number }> {
    const box = (await page.getByTestId('viewport-frame').boundingBox())!
    const s = await scale()
    return { x: box.x + (LAYER_ORIGIN[0] + layerPoint[0]!) * s, y: box.y + (LAYER_ORIGIN[1] + layerPoint[1]!) * s }
  }
  async function click(layerPoint: readonly number[]) {
    const p = await at(layerPoint)
    await page.mouse.click(p.x, p.y)
  }
  async function dragFrom(from: readonly number[], to: readonly number[], options: { shift?: boolean } = {}) {
    const a = await at(from)
    const b = await at(to)
    await page.mouse.move(a.x, a.y)
    await page.mouse.down()
    if (options.shift) await page.keyboard.down('Shift')
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 })
    await page.mouse.move(b.x, b.y, { steps: 4 })
    await page.mouse.up()
    if (options.shift) await page.keyboard.up('Shift')
  }
  /** Tolerance in layer pixels: a pointer lands on whole screen pixels. */
  const tolerance = async () => 1 / (await scale()) + 0.01
  async function expectPoint(actual: readonly number[], expected: readonly number[]) {
    const within = await tolerance()
    expect(Math.abs(actual[0]! - expected[0]!), `x ${actual[0]} vs ${expected[0]}`).toBeLessThanOrEqual(within)
    expect(Math.abs(actual[1]! - expected[1]!), `y ${actual[1]} vs ${expected[1]}`).toBeLessThanOrEqual(within)
  }

  /** Which canvas pixels are red (the masked solid), with the overlays hidden. */
  async function redMask(): Promise<{ red: boolean[]; width: number; height: number }> {
    const { data, info } = await sharp(await page.getByTestId('viewport-canvas').screenshot()).raw().toBuffer({ resolveWithObject: true })
    const red: boolean[] = []
    for (let i = 0; i < info.width * info.height; i++) {
      const o = i * info.channels
      red.push(data[o]! > 120 && data[o + 1]! < 90 && data[o + 2]! < 90)
    }
    return { red, width: info.width, height: info.height }
  }

  async function openEditor(id: string) {
    await page.goto(`/projects/${id}`)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('640×360')
    await page.getByTestId('layer-row').first().click()
    await expect.poll(() => page.getByTestId('transform-handles').count(), POLL).toBe(1)
  }

  beforeAll(async () => {
    app = await openApp()
    page = app.page
    script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const created = await script.api.projects.create.mutate({ name: 'Mask tools', width: 640, height: 360, fps: 24, frameCount: 24 })
    projectId = created.id
    await script.api.projects.save.mutate({ id: created.id, revision: created.revision, document: plateDocument() })
    await signIn(page)
  })
  afterAll(async () => { await app?.dispose() })

  it('draws a closed mask with the pen: clicks make corners, a drag pulls a curve, a click on the first vertex closes', async () => {
    await openEditor(projectId)
    await page.keyboard.press('g')
    await expect.poll(() => page.getByTestId('tool-pen').getAttribute('aria-pressed'), POLL).toBe('true')
    // The transform handles give way to the drawing tool.
    await expect.poll(() => page.getByTestId('transform-handles').count(), POLL).toBe(0)

    await click(PEN_POINTS[0]!)
    await click(PEN_POINTS[1]!)
    const corner = PEN_POINTS[2]!
    await dragFrom(corner, [corner[0] + BULGE[0], corner[1] + BULGE[1]])
    await click(PEN_POINTS[3]!)
    await expect.poll(() => page.getByTestId('mask-vertex').count(), POLL).toBe(4)
    await page.screenshot({ path: join(shots(), 'mask-pen-open-1440.png') })
    await click(PEN_POINTS[0]!)

    const [mask] = await savedMasks()
    expect(mask!.path.value.closed).toBe(true)
    const vertices = mask!.path.value.vertices
    expect(vertices).toHaveLength(4)
    for (const [i, point] of PEN_POINTS.entries()) await expectPoint(vertices[i]!.point, point)
    await expectPoint(vertices[2]!.outTangent, BULGE)
    await expectPoint(vertices[2]!.inTangent, [-BULGE[0], -BULGE[1]])
    await expectPoint(vertices[0]!.outTangent, [0, 0])
    expect(mask!.path.keyframes).toEqual([])
    expect(await page.getByTestId('mask').count()).toBe(1)
    expect(await page.getByTestId('mask').getAttribute('data-active')).toBe('true')
    await shootBoth(page, shots(), 'mask-pen-closed')
  })

  it('renders the pen-drawn mask as the same shape entered by numbers', async () => {
    const drawn = await savedMasks()
    await page.keyboard.press('v')
    await page.addStyleTag({ content: '[data-testid="mask-overlay"], [data-testid="transform-handles"] { visibility: hidden !important }' })
    const fromPen = await redMask()
    // The intended path, typed in as numbers: corners at the points, the third vertex's tangents ±BULGE.
    const numeric: BezierPath = {
      closed: true,
      vertices: PEN_POINTS.map((point, i) => ({
        point, inTangent: i === 2 ? [-BULGE[0], -BULGE[1]] : [0, 0], outTangent: i === 2 ? BULGE : [0, 0],
      })),
    }
    const created = await script.api.projects.create.mutate({ name: 'Mask by numbers', width: 640, height: 360, fps: 24, frameCount: 24 })
    await script.api.projects.save.mutate({
      id: created.id, revision: created.revision,
      document: plateDocument([{ id: 'typed', name: 'Mask 1', path: { value: numeric } }]),
    })
    await openEditor(created.id)
    await page.addStyleTag({ content: '[data-testid="mask-overlay"], [data-testid="transform-handles"] { visibility: hidden !important }' })
    const fromNumbers = await redMask()
    expect(fromNumbers.width).toBe(fromPen.width)
    const redCount = fromNumbers.red.filter(Boolean).length
    const differing = fromNumbers.red.filter((value, i) => value !== fromPen.red[i]).length
    // Both masked: the solid is 400×200 of the 640×360 frame and the mask covers about 280×140 plus the bulge.
    expect(redCount / fromNumbers.red.length).toBeGreaterThan(0.15)
    expect(redCount / fromNumbers.red.length).toBeLessThan(0.3)
    // Same shape: only anti-aliased edge pixels may differ (the pointer lands on whole screen pixels).
    expect(differing / redCount).toBeLessThan(0.01)
    // The curve is there in both: the bottom edge leaving the third vertex bows below the straight line y = 170.
    const s = await scale()
    const probe = (image: typeof fromPen, x: number, y: number) => image.red[Math.round((LAYER_ORIGIN[1] + y) * s) * image.width + Math.round((LAYER_ORIGIN[0] + x) * s)]
    expect(probe(fromPen, 300, 182)).toBe(true)
    expect(probe(fromNumbers, 300, 182)).toBe(true)
    expect(probe(fromPen, 50, 100)).toBe(false)
    expect(drawn[0]!.path.value.vertices).toHaveLength(4)
    await page.goto(`/projects/${projectId}`)
  })

  it('moves a vertex, then two selected with Shift, adds a vertex by double-click and deletes one with Delete', async () => {
    await openEditor(projectId)
    await page.keyboard.press('v')
    // A click on the outline makes the mask active and shows its vertices.
    await click([200, 30])
    await expect.poll(() => page.getByTestId('mask-vertex').count(), POLL).toBe(4)

    await dragFrom(PEN_POINTS[0]!, [40, 20])
    let [mask] = await savedMasks()
    await expectPoint(mask!.path.value.vertices[0]!.point, [40, 20])
    await expectPoint(mask!.path.value.vertices[1]!.point, PEN_POINTS[1]!)

    // Shift-click adds the fourth vertex; dragging either moves both.
    await page.keyboard.down('Shift')
    await click(PEN_POINTS[3]!)
    await page.keyboard.up('Shift')
    await expect.poll(() => page.locator('[data-testid="mask-vertex"][data-selected="true"]').count(), POLL).toBe(2)
    await dragFrom(PEN_POINTS[3]!, [PEN_POINTS[3]![0] - 10, PEN_POINTS[3]![1] + 10])
    ;[mask] = await savedMasks()
    await expectPoint(mask!.path.value.vertices[3]!.point, [50, 180])
    await expectPoint(mask!.path.value.vertices[0]!.point, [30, 30])
    await expectPoint(mask!.path.value.vertices[2]!.point, PEN_POINTS[2]!)

    // A tangent handle of a selected curved vertex: dragging one mirrors the other.
    await click(PEN_POINTS[2]!)
    await expect.poll(() => page.getByTestId('mask-tangent-out').count(), POLL).toBe(1)
    const handle = (await page.getByTestId('mask-tangent-out').boundingBox())!
    const target = await at([PEN_POINTS[2]![0] + 30, PEN_POINTS[2]![1] + 40])
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2)
    await page.mouse.down()
    await page.mouse.move(target.x, target.y, { steps: 6 })
    await page.mouse.up()
    ;[mask] = await savedMasks()
    await expectPoint(mask!.path.value.vertices[2]!.outTangent, [30, 40])
    await expectPoint(mask!.path.value.vertices[2]!.inTangent, [-30, -40])

    // Double-click on the top edge: a fifth vertex there, the others unchanged.
    const top = await at([190, 30])
    await page.mouse.dblclick(top.x, top.y)
    await expect.poll(() => page.getByTestId('mask-vertex').count(), POLL).toBe(5)
    ;[mask] = await savedMasks()
    expect(mask!.path.value.vertices).toHaveLength(5)
    const inserted = mask!.path.value.vertices[1]!
    expect(Math.abs(inserted.point[1] - 30)).toBeLessThan(1)
    expect(inserted.point[0]).toBeGreaterThan(40)
    expect(inserted.point[0]).toBeLessThan(340)
    await shootBoth(page, shots(), 'mask-edit')

    // Delete removes the selected (new) vertex, not the layer; undo brings it back.
    await page.keyboard.press('Delete')
    await expect.poll(() => page.getByTestId('mask-vertex').count(), POLL).toBe(4)
    expect(await page.getByTestId('layer-row').count()).toBe(1)
    ;[mask] = await savedMasks()
    expect(mask!.path.value.vertices).toHaveLength(4)
    await page.keyboard.press('Control+z')
    await expect.poll(() => page.getByTestId('mask-vertex').count(), POLL).toBe(5)
    ;[mask] = await savedMasks()
    expect(mask!.path.value.vertices).toHaveLength(5)
    // Escape clears the vertex selection first and keeps the layer selected.
    await click([30, 30])
    await expect.poll(() => page.locator('[data-testid="mask-vertex"][data-selected="true"]').count(), POLL).toBe(1)
    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('[data-testid="mask-vertex"][data-selected="true"]').count(), POLL).toBe(0)
    expect(await page.getByTestId('mask-vertex').count()).toBe(5)
  })

  it('keyframes the path: with the stopwatch on, a vertex moved at another frame makes a keyframe there', async () => {
    await page.getByTestId('stopwatch-masks-0-path').click()
    await page.getByTestId('viewport-frame').hover()
    await page.keyboard.press('Shift+ArrowRight')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.getByTestId('timeline-frame').textContent(), POLL).toMatch(/^12/)
    let [mask] = await savedMasks()
    expect(mask!.path.keyframes.map((k) => k.frame)).toEqual([0])
    const before = mask!.path.keyframes[0]!.value.vertices[2]!.point
    await click([110, 30])
    await expect.poll(() => page.getByTestId('mask-vertex').count(), POLL).toBe(5)
    await dragFrom(before, [before[0] + 40, before[1]])
    ;[mask] = await savedMasks()
    expect(mask!.path.keyframes.map((k) => k.frame)).toEqual([0, 12])
    await expectPoint(mask!.path.keyframes[1]!.value.vertices[2]!.point, [before[0] + 40, before[1]])
    expect(mask!.path.keyframes[0]!.value.vertices[2]!.point).toEqual(before)

    // Adding a vertex on an animated path adds it to both keyframes, so it keeps interpolating.
    // The left edge runs from (50, 180) up to (30, 30); this point lies on it.
    const left = await at([39.33, 100])
    await page.mouse.dblclick(left.x, left.y)
    await expect.poll(() => page.getByTestId('mask-vertex').count(), POLL).toBe(6)
    ;[mask] = await savedMasks()
    expect(mask!.path.keyframes.map((k) => k.value.vertices.length)).toEqual([6, 6])
    expect(app.pageErrors).toEqual([])
  })

  it('drags out rectangle and ellipse masks with their tools, in the layer’s space', async () => {
    await page.keyboard.press('Home')
    await page.keyboard.press('q')
    await expect.poll(() => page.getByTestId('tool-rectangle').getAttribute('aria-pressed'), POLL).toBe('true')
    await dragFrom([20, 20], [120, 80])
    await expect.poll(async () => (await savedMasks()).length, POLL).toBe(2)
    let masks = await savedMasks()
    const rectangle = masks[1]!.path.value
    expect(rectangle.vertices).toHaveLength(4)
    await expectPoint(rectangle.vertices[0]!.point, [20, 20])
    await expectPoint(rectangle.vertices[2]!.point, [120, 80])
    expect(masks[1]!.name).toBe('Mask 2')

    await page.keyboard.press('q')
    await expect.poll(() => page.getByTestId('tool-ellipse').getAttribute('aria-pressed'), POLL).toBe('true')
    // Shift makes a circle: the box is square on the longer side. The press lands on Mask 1's top edge, and still draws.
    await dragFrom([200, 30], [300, 90], { shift: true })
    await expect.poll(async () => (await savedMasks()).length, POLL).toBe(3)
    masks = await savedMasks()
    const circle = masks[2]!.path.value
    expect(circle.vertices).toHaveLength(4)
    await expectPoint(circle.vertices[0]!.point, [250, 30])
    await expectPoint(circle.vertices[2]!.point, [250, 130])
    expect(Math.abs(circle.vertices[0]!.outTangent[0])).toBeGreaterThan(20)

    // One undo removes the whole drag.
    await page.keyboard.press('Control+z')
    await expect.poll(async () => (await savedMasks()).length, POLL).toBe(2)
    await page.keyboard.press('Control+y')
    await expect.poll(async () => (await savedMasks()).length, POLL).toBe(3)

    await page.screenshot({ path: join(shots(), 'mask-tools-1440.png') })
    await page.setViewportSize({ width: 1920, height: 1080 })
    await page.keyboard.press('v')
    await click([250, 30])
    await expect.poll(() => page.getByTestId('mask-vertex').count(), POLL).toBe(4)
    await page.screenshot({ path: join(shots(), 'mask-tools-1920.png') })
    await page.setViewportSize({ width: 1440, height: 900 })
    expect(app.pageErrors).toEqual([])
  })

  it('tells the user to pick a layer when a drawing tool has nothing to draw on', async () => {
    await page.keyboard.press('Escape')
    await page.keyboard.press('Escape')
    await page.keyboard.press('g')
    await expect.poll(() => page.getByTestId('mask-tool-hint').count(), POLL).toBe(1)
    expect(await page.getByTestId('mask-tool-hint').textContent()).toContain('Select one 2D layer')
    const masksBefore = (await savedMasks()).length
    await click([100, 100])
    expect((await savedMasks()).length).toBe(masksBefore)
  })
})
