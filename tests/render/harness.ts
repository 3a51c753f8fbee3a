import { type Browser, type Page, chromium } from 'playwright-core'
import sharp from 'sharp'
import type { CompositionInput, LayerInput, ProjectDocument } from '../../shared/project'
import { createEmptyDocument, parseDocument } from '../../shared/project'
import type { HeadlessRenderOptions, RenderPass } from '../../renderer'
import { type RunningServer, startServer } from '../e2e/server'

/** Chromium flags from the stack notes: WebGL2 through SwiftShader, no GPU, no network chatter. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export interface RenderHarness {
  server: RunningServer
  browser: Browser
  page: Page
  close(): Promise<void>
}

/** The built app, headless Chromium and the /render page, ready for `window.lattice`. */
export async function openRenderPage(): Promise<RenderHarness> {
  const server = await startServer()
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  try {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(String(error)))
    await page.goto(`${server.url}/render`)
    await page.waitForFunction(() => (window as unknown as { lattice?: { ready?: boolean } }).lattice?.ready === true, undefined, { timeout: 30_000 }).catch((error) => {
      throw new Error(`/render never installed window.lattice: ${error}\n${errors.join('\n')}`)
    })
    return {
      server,
      browser,
      page,
      close: async () => {
        await browser.close()
        await server.dispose()
      },
    }
  } catch (error) {
    await browser.close()
    await server.dispose()
    throw error
  }
}

export class Picture {
  constructor(readonly width: number, readonly height: number, readonly data: Buffer) {}

  /** [r, g, b, a] at pixel (x, y), rows from the top. */
  at(x: number, y: number): [number, number, number, number] {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) throw new Error(`(${x}, ${y}) is outside ${this.width}×${this.height}`)
    const i = (Math.floor(y) * this.width + Math.floor(x)) * 4
    return [this.data[i], this.data[i + 1], this.data[i + 2], this.data[i + 3]] as [number, number, number, number]
  }

  /** Pixels in the rectangle [x0, x1) × [y0, y1) for which `test` holds. */
  count(x0: number, y0: number, x1: number, y1: number, test: (p: [number, number, number, number]) => boolean): number {
    let n = 0
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (test(this.at(x, y))) n++
    return n
  }
}

export type PassName = 'color' | 'depth' | 'matte' | RenderPass

export async function render(
  page: Page,
  document: ProjectDocument,
  frame = 0,
  pass: PassName = 'color',
  options: HeadlessRenderOptions = {},
  compositionId = document.mainCompositionId,
): Promise<Picture> {
  const result = await page.evaluate(
    ([doc, comp, f, p, o]) => (window as unknown as { lattice: import('../../renderer').HeadlessApi }).lattice.renderFrame(doc, comp, f, p, o),
    [document, compositionId, frame, pass, options] as const,
  )
  return new Picture(result.width, result.height, Buffer.from(result.data, 'base64'))
}

/** A validated document: an empty main composition of `size` holding `layers` (first = top), plus other compositions. */
export function documentWith(
  layers: LayerInput[],
  settings: { width?: number; height?: number; fps?: number; frameCount?: number; backgroundColor?: string } = {},
  others: CompositionInput[] = [],
): ProjectDocument {
  const { backgroundColor, ...size } = settings
  const base = createEmptyDocument({ name: 'Render test', width: 64, height: 64, ...size })
  const main = { ...base.compositions.main, ...(backgroundColor ? { backgroundColor } : {}), layers }
  return parseDocument({ ...base, compositions: { ...Object.fromEntries(others.map((c) => [c.id, c])), main } }).document
}

/** Defaults every layer needs in a test: 100 frames long. */
export const span = { inPoint: 0, outPoint: 100 }

/** A solid layer w×h of `color`, its top-left corner at (x, y) (anchor at its corner); `rest.transform` adds to the position. */
export function solid(id: string, color: string, x: number, y: number, w: number, h: number, rest: Partial<LayerInput> = {}): LayerInput {
  return {
    id,
    kind: 'solid',
    ...span,
    data: { color, width: w, height: h },
    ...rest,
    transform: { position: { value: [x, y, 0] }, ...rest.transform },
  } as LayerInput
}

export const static_ = <T>(value: T) => ({ value })

/** A PNG data URL from a function giving [r, g, b, a] (0..255) per pixel. */
export async function pngDataUrl(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Promise<string> {
  const raw = Buffer.alloc(width * height * 4)
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.set(pixel(x, y), (y * width + x) * 4)
  const png = await sharp(raw, { raw: { width, height, channels: 4 } }).png().toBuffer()
  return `data:image/png;base64,${png.toString('base64')}`
}

/** Expects every channel of `actual` within `tolerance` of `expected`. */
export function expectPixel(actual: readonly number[], expected: readonly number[], tolerance = 2, label = ''): void {
  const off = expected.some((e, i) => Math.abs((actual[i] as number) - e) > tolerance)
  if (off) throw new Error(`${label} pixel [${actual.join(', ')}] is not within ±${tolerance} of [${expected.join(', ')}]`)
}

/** Asset ids are uuids; tests number theirs. */
export const assetId = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

/** Opens the /render page once for a test file. */
export function useRenderPage(hooks: { beforeAll: (fn: () => Promise<void>, timeout?: number) => void; afterAll: (fn: () => Promise<void>) => void }): () => Page {
  let harness: RenderHarness | undefined
  hooks.beforeAll(async () => { harness = await openRenderPage() }, 90_000)
  hooks.afterAll(async () => { await harness?.close() })
  return () => {
    if (!harness) throw new Error('the render page is not open')
    return harness.page
  }
}

/** sRGB bytes of a `#rrggbb` colour. */
export function rgb(hex: string): [number, number, number] {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)]
}
