import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { createEmptyDocument, parseDocument, type LayerInput } from '../../shared/project'
import { BOOTSTRAP_TOKEN, openApp, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 60_000, interval: 200 }

/** Export from the editor as a user does it: the dialog, the render queue, the file downloaded. */
describe('export in the editor', () => {
  let app: BrowserApp
  let page: Page
  let projectId = ''
  let longId = ''

  beforeAll(async () => {
    app = await openApp()
    page = app.page
    const script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const created = await script.api.projects.create.mutate({ name: 'Export from editor', width: 320, height: 176, fps: 12, frameCount: 30 })
    const base = createEmptyDocument({ name: 'Export from editor', width: 320, height: 176, fps: 12 })
    const layers: LayerInput[] = [
      { id: 'title', kind: 'text', inPoint: 0, outPoint: 30, data: { text: 'Export', fontSize: 40, fill: '#ffffff' }, transform: { position: { value: [20, 90, 0], keyframes: [{ id: 'a', frame: 0, value: [20, 90, 0] }, { id: 'b', frame: 29, value: [160, 90, 0] }] } } } as LayerInput,
      { id: 'bg', kind: 'solid', inPoint: 0, outPoint: 30, data: { color: '#335577', width: 320, height: 176 } } as LayerInput,
    ]
    const document = parseDocument({ ...base, compositions: { [base.mainCompositionId]: { ...base.compositions[base.mainCompositionId]!, frameCount: 30, layers } } }).document
    await script.api.projects.save.mutate({ id: created.id, revision: created.revision, document })
    projectId = created.id
    const long = await script.api.projects.create.mutate({ name: 'Long export', width: 320, height: 176, fps: 12, frameCount: 3000 })
    longId = long.id
    await signIn(page)
  })
  /** LATTICE_SCREENSHOTS keeps the screenshots for a person to look at; else they go with the temp folder. */
  const shots = () => process.env.LATTICE_SCREENSHOTS || app.files

  afterAll(async () => {
    await app?.dispose()
  })

  it('renders an H.264 video from the Export dialog, shows its progress in the render queue and downloads it', async () => {
    await page.goto(`/projects/${projectId}`)
    await page.getByTestId('editor-export').click()
    const dialog = page.getByTestId('export-dialog')
    await dialog.waitFor()
    await page.getByTestId('export-preset-h264').click()
    await expect.poll(() => page.getByTestId('export-output').count(), POLL).toBe(1)
    await expect.poll(() => page.getByTestId('export-summary').textContent(), POLL).toContain('30 frames at 320×176, 12 fps')
    // Wan wants 4n+1 frames in sizes of 16: 29 frames at 320×176.
    await page.getByTestId('export-wan').click()
    await expect.poll(() => page.getByTestId('export-summary').textContent(), POLL).toContain('29 frames at 320×176')
    await page.screenshot({ path: join(shots(), 'export-dialog.png') })
    await page.getByTestId('export-start-button').click()

    const item = page.getByTestId('render-queue-item').first()
    await item.waitFor()
    await expect.poll(() => item.getAttribute('data-status'), POLL).toBe('succeeded')
    await page.screenshot({ path: join(shots(), 'render-queue.png') })
    const [download] = await Promise.all([page.waitForEvent('download'), item.getByTestId('render-queue-download').click()])
    expect(download.suggestedFilename()).toBe('Export_from_editor_Export_from_editor_color.mp4')
    const path = join(app.files, download.suggestedFilename())
    await download.saveAs(path)
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', path], { encoding: 'utf8' })) as { streams: Record<string, unknown>[] }
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 176, nb_read_frames: '29' })
    expect(app.pageErrors).toEqual([])
  })

  it('cancels a running export from the render queue', async () => {
    await page.goto(`/projects/${longId}`)
    await page.getByTestId('editor-export').click()
    await page.getByTestId('export-preset-png').click()
    await page.getByTestId('export-start-button').click()
    const item = page.getByTestId('render-queue-item').first()
    await expect.poll(() => item.getAttribute('data-status'), POLL).toBe('running')
    await expect.poll(async () => Number(/frame (\d+) of 3000/.exec(await item.getByTestId('render-queue-frames').textContent() ?? '')?.[1] ?? 0), POLL).toBeGreaterThan(0)
    await page.screenshot({ path: join(shots(), 'render-queue-running.png') })
    await item.getByTestId('render-queue-cancel').click()
    await expect.poll(() => item.getAttribute('data-status'), POLL).toBe('cancelled')
    expect(await item.getByTestId('render-queue-download').count()).toBe(0)
    await item.getByTestId('render-queue-remove').click()
    await expect.poll(() => page.getByTestId('render-queue-item').count(), POLL).toBe(0)
  })
})
