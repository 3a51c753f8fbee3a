/**
 * Autosave of a large shot in the editor, in headless Chromium: how long each save holds the
 * page's main thread (validating and serialising the document, as the store measures it),
 * against JSON.stringify of the same document in the same page, the least a save that
 * serialises the whole document would take. Edits are typed into the properties panel.
 *
 * The document's layers are hidden: software WebGL (no GPU here) would spend seconds drawing
 * 700 layers after each edit, which is the renderer's cost (see render.ts), not the save's.
 */
import { chromium, type Page } from 'playwright-core'
import type { LatticeClient } from '../client'
import type { ProjectDocument } from '../shared/project'
import { signIn } from '../tests/browser/harness'
import { median } from './stats'

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
// stores/editor.ts SAVE_PREPARE_MEASURE (not imported: the store needs Nuxt's auto-imports).
const SAVE_PREPARE_MEASURE = 'lattice:save-prepare'

export interface AutosaveResult {
  /** Main-thread ms of the first save after opening, which fills the save cache. */
  firstSaveMs: number
  /** Median main-thread ms of the later saves, each after one edit. */
  laterSaveMs: number
  laterSaves: number
  /** JSON.stringify of the document in the page (ms, median of 3). */
  pageStringifyMs: number
}

const saveState = () => document.querySelector('[data-testid="editor-save-state"]')?.getAttribute('data-state')

/** Types a value into a property, waits for the autosave, and returns how long it held the main thread. */
async function editAndSave(page: Page, n: number): Promise<number> {
  const anchorX = page.getByTestId('value-transform-anchor-0')
  await anchorX.fill(String(n + 1))
  await anchorX.press('Enter')
  await page.waitForFunction(
    `performance.getEntriesByName('${SAVE_PREPARE_MEASURE}').length > ${n} && (${saveState.toString()})() === 'saved'`,
    undefined,
    { polling: 100 },
  )
  const measures = await page.evaluate((name) => performance.getEntriesByName(name).map((entry) => entry.duration), SAVE_PREPARE_MEASURE)
  if (measures.length !== n + 1) throw new Error(`autosave bench: expected ${n + 1} saves, the page measured ${measures.length}`)
  return measures.at(-1)!
}

async function stringifyInPage(page: Page, id: string): Promise<number> {
  return median(await page.evaluate(async (projectId) => {
    const url = `/api/trpc/projects.get?input=${encodeURIComponent(JSON.stringify({ id: projectId }))}`
    const { document } = (await (await fetch(url)).json()).result.data
    const ms: number[] = []
    for (let i = 0; i < 3; i++) {
      const start = performance.now()
      JSON.stringify(document)
      ms.push(performance.now() - start)
    }
    return ms
  }, id))
}

export async function measureAutosave(options: { lattice: LatticeClient; latticeUrl: string; document: ProjectDocument; saves: number }): Promise<AutosaveResult> {
  const { lattice } = options
  const hidden = structuredClone(options.document)
  for (const composition of Object.values(hidden.compositions)) for (const layer of composition.layers) layer.visible = false
  const created = await lattice.api.projects.create.mutate({ name: 'Benchmark: autosave', width: 1280, height: 720, fps: 16, frameCount: 81 })
  await lattice.api.projects.save.mutate({ id: created.id, revision: created.revision, document: hidden })
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
  try {
    const context = await browser.newContext({ baseURL: options.latticeUrl, viewport: { width: 1440, height: 900 } })
    context.setDefaultTimeout(120_000)
    const page = await context.newPage()
    await signIn(page)
    await page.goto(`/projects/${created.id}`)
    await page.getByTestId('composition-size').waitFor()
    await page.getByTestId('layer-row').nth(1).click()
    const pageStringifyMs = await stringifyInPage(page, created.id)
    const firstSaveMs = await editAndSave(page, 0)
    const later: number[] = []
    for (let n = 1; n <= options.saves; n++) later.push(await editAndSave(page, n))
    return { firstSaveMs, laterSaveMs: median(later), laterSaves: later.length, pageStringifyMs }
  } finally {
    await browser.close()
    await lattice.api.projects.delete.mutate({ id: created.id })
  }
}
