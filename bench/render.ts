/**
 * Renderer cost in headless Chromium (SwiftShader, no GPU): milliseconds of `renderFrame` per
 * 1920×1080 frame for a 20-layer composition against an empty composition of the same size,
 * both measured in the same run and page, plus the GPU read-back. Prints; asserts nothing.
 *
 *   tsx bench/render.ts              starts the built app (.output) itself
 *   measureRender('http://host:port') against a running server
 */
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import sharp from 'sharp'
import type { HeadlessApi, HeadlessRenderOptions } from '../renderer'
import { type LayerInput, type ProjectDocument, createEmptyDocument, parseDocument } from '../shared/project'
import { formatMs, median, round } from './stats'

const WIDTH = 1920
const HEIGHT = 1080
const WARMUP_FRAMES = 2
const MEASURED_FRAMES = 8
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

export interface RenderBenchResult {
  width: number
  height: number
  frames: number
  /**
   * Median ms per frame: `frameMs` = renderFrame + readPixels. WebGL runs asynchronously, so
   * renderFrame returns once the work is queued and the GPU time shows up in readPixels.
   */
  empty: FrameTimes
  twentyLayers: FrameTimes
  /** twentyLayers.frameMs / empty.frameMs. */
  ratio: number
}

export interface FrameTimes {
  frameMs: number
  renderMs: number
  readMs: number
}

export const IMAGE_ID = (n: number) => `00000000-0000-4000-8000-0000000000b${n}`

export async function imageDataUrl(seed: number): Promise<string> {
  const size = 512
  const raw = Buffer.alloc(size * size * 4)
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) raw.set([(x + seed * 40) % 256, (y * 2) % 256, (x ^ y) % 256, 255], (y * size + x) * 4)
  const png = await sharp(raw, { raw: { width: size, height: size, channels: 4 } }).png().toBuffer()
  return `data:image/png;base64,${png.toString('base64')}`
}

const moving = (from: [number, number, number], to: [number, number, number]) => ({
  value: from,
  keyframes: [{ id: 'a', frame: 0, value: from }, { id: 'b', frame: 40, value: to }],
})

/** 20 layers of every common kind: solids in several blend modes, shapes, text, images, masks, one 3D layer. */
export function twentyLayerDocument(): ProjectDocument {
  const span = { inPoint: 0, outPoint: 100 }
  const layers: LayerInput[] = []
  const modes = ['normal', 'multiply', 'screen', 'overlay', 'add', 'difference'] as const
  modes.forEach((mode, i) => layers.push({
    id: `solid${i}`, kind: 'solid', ...span, blendMode: mode,
    data: { color: `#${(0x305070 + i * 0x151515).toString(16)}`, width: 600, height: 400 },
    transform: { position: moving([100 + i * 200, 100 + i * 80, 0], [200 + i * 200, 150 + i * 80, 0]), opacity: { value: 80 } },
  } as LayerInput))
  for (let i = 0; i < 4; i++) layers.push({
    id: `shape${i}`, kind: 'shape', ...span,
    data: { shapes: [
      { type: 'ellipse', position: { value: [0, 0] }, size: { value: [300, 200] }, fill: { color: '#ffcc00' }, stroke: { color: '#000000', width: 6 } },
      { type: 'polygon', position: { value: [150, 0] }, outerRadius: { value: 120 }, innerRadius: { value: 50 }, fill: { color: '#33aaff' } },
    ] },
    transform: { position: moving([300 + i * 350, 700, 0], [350 + i * 350, 650, 0]), rotation: { value: i * 20 } },
  } as LayerInput)
  for (let i = 0; i < 4; i++) layers.push({
    id: `text${i}`, kind: 'text', ...span,
    data: { text: `Lattice title ${i}\nsecond line`, fontSize: 72, fill: '#ffffff', stroke: { color: '#202020', width: 4 }, align: 'center' },
    transform: { position: moving([400 + i * 300, 200 + i * 150, 0], [450 + i * 300, 220 + i * 150, 0]) },
  } as LayerInput)
  for (let i = 0; i < 3; i++) layers.push({
    id: `image${i}`, kind: 'image', ...span, blendMode: i === 1 ? 'screen' : 'normal',
    data: { assetId: IMAGE_ID(i) },
    transform: { position: moving([200 + i * 550, 450, 0], [260 + i * 550, 420, 0]), scale: { value: [150, 150, 100] } },
  } as LayerInput)
  for (let i = 0; i < 2; i++) layers.push({
    id: `masked${i}`, kind: 'solid', ...span,
    data: { color: '#aa2266', width: 800, height: 600 },
    transform: { position: { value: [200 + i * 800, 300, 0] } },
    masks: [{ id: 'm', path: { value: { closed: true, vertices: [{ point: [100, 100] }, { point: [700, 150] }, { point: [400, 550] }] } }, feather: { value: [30, 30] } }],
  } as LayerInput)
  layers.push({
    id: 'card3d', kind: 'solid', ...span, threeD: true,
    data: { color: '#22aa66', width: 800, height: 500 },
    transform: { position: moving([960, 540, 200], [960, 540, 0]), anchor: { value: [400, 250, 0] }, rotationY: { value: 30 } },
  } as LayerInput)
  return documentWithLayers(layers)
}

function documentWithLayers(layers: LayerInput[]): ProjectDocument {
  const base = createEmptyDocument({ name: 'Render bench', width: WIDTH, height: HEIGHT, fps: 16 })
  return parseDocument({ ...base, compositions: { main: { ...base.compositions.main, layers } } }).document
}

/** Measures in headless Chromium against the /render page of the Lattice server at `serverUrl`. */
export async function measureRender(serverUrl: string): Promise<RenderBenchResult> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  try {
    const page = await browser.newPage()
    await page.goto(`${serverUrl}/render`)
    await page.waitForFunction(() => (window as unknown as { lattice?: HeadlessApi }).lattice?.ready === true, undefined, { timeout: 30_000 })
    const assets = Object.fromEntries(await Promise.all([0, 1, 2].map(async (n) => [IMAGE_ID(n), await imageDataUrl(n)] as const)))

    const run = async (document: ProjectDocument, options: HeadlessRenderOptions) => {
      const times = await page.evaluate(async ([doc, opts, warmup, measured]) => {
        const api = (window as unknown as { lattice: HeadlessApi }).lattice
        const out: { renderMs: number; readMs: number }[] = []
        for (let i = 0; i < warmup + measured; i++) {
          // Small PNG-free transfers: only the timings leave the page.
          const result = await api.renderFrame(doc, 'main', i * 3, 'color', opts)
          if (i >= warmup) out.push({ renderMs: result.renderMs, readMs: result.readMs })
        }
        return out
      }, [document, options, WARMUP_FRAMES, MEASURED_FRAMES] as const)
      return {
        frameMs: round(median(times.map((t) => t.renderMs + t.readMs))),
        renderMs: round(median(times.map((t) => t.renderMs))),
        readMs: round(median(times.map((t) => t.readMs))),
      }
    }

    const empty = await run(documentWithLayers([]), {})
    const twentyLayers = await run(twentyLayerDocument(), { assets })
    const result: RenderBenchResult = { width: WIDTH, height: HEIGHT, frames: MEASURED_FRAMES, empty, twentyLayers, ratio: round(twentyLayers.frameMs / Math.max(empty.frameMs, 1e-3)) }
    console.log(`renderer ${WIDTH}×${HEIGHT}, headless Chromium (SwiftShader), median of ${MEASURED_FRAMES} frames`)
    const line = (name: string, t: FrameTimes) =>
      `  ${name.padEnd(18)} frame ${formatMs(t.frameMs).padStart(9)}   (renderFrame ${formatMs(t.renderMs)} + readPixels ${formatMs(t.readMs)})`
    console.log(line('empty composition', empty))
    console.log(`${line('20 layers', twentyLayers)}   ${result.ratio}× empty`)
    return result
  } finally {
    await browser.close()
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { startServer } = await import('../tests/e2e/server')
  const server = await startServer()
  try {
    await measureRender(server.url)
  } finally {
    await server.dispose()
  }
}
