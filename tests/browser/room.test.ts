import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addLayer, openApp, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 15_000, interval: 100 }
const EXPANDED = 220
const COLLAPSED = 64
const PROJECT = 'Night market'

/** Room to work and the way through the app: the collapsing sidebar, new projects, rendered-frame names. */
describe('the web app: room and flow', () => {
  let app: BrowserApp
  let page: Page
  /** LATTICE_SCREENSHOTS keeps the screenshots for a person to look at; else they go with the temp folder. */
  const shot = async (name: string) => {
    const folder = process.env.LATTICE_SCREENSHOTS || app.files
    await mkdir(folder, { recursive: true })
    await page.screenshot({ path: join(folder, `room-${name}.png`) })
  }
  const sidebarWidth = async () => Math.round((await page.getByTestId('app-sidebar').boundingBox())?.width ?? 0)
  const box = async (testId: string) => {
    const found = await page.getByTestId(testId).boundingBox()
    if (!found) throw new Error(`${testId} is not on screen`)
    return found
  }
  const toggleSidebar = () => page.getByTestId('sidebar-collapse').click()

  beforeAll(async () => {
    app = await openApp()
    page = app.page
    await signIn(page)
  })
  afterAll(async () => {
    await app?.dispose()
  })

  it('collapses the navigation sidebar to its icons and keeps it so after a reload', async () => {
    await page.getByTestId('project-list').waitFor()
    await expect.poll(sidebarWidth, POLL).toBe(EXPANDED)
    expect(await page.getByTestId('main-nav').getByText('Assets', { exact: true }).isVisible()).toBe(true)

    await toggleSidebar()
    await expect.poll(sidebarWidth, POLL).toBe(COLLAPSED)
    // Only the icons show; each link keeps its name.
    expect(await page.getByTestId('main-nav').getByText('Assets', { exact: true }).isVisible()).toBe(false)
    expect(await page.getByTestId('main-nav').getByRole('link', { name: 'Assets' }).isVisible()).toBe(true)
    await shot('projects-collapsed-1440x900')

    await page.reload()
    await page.getByTestId('project-list').waitFor()
    expect(await sidebarWidth()).toBe(COLLAPSED)
    await toggleSidebar()
    await expect.poll(sidebarWidth, POLL).toBe(EXPANDED)
  })

  it('opens a new project in the editor, where the sidebar starts collapsed and the viewport has the room', async () => {
    await page.getByTestId('project-new').click()
    await page.getByTestId('project-name').fill(PROJECT)
    await page.getByTestId('project-create-submit').click()
    await page.waitForURL((url) => /^\/projects\/[0-9a-f-]{36}$/.test(url.pathname))
    await expect.poll(() => page.getByTestId('editor-project-name').textContent(), POLL).toContain(PROJECT)
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('1280×720')
    expect(await page.getByTestId('layer-list').textContent()).toContain('No layers yet.')

    expect(await sidebarWidth()).toBe(COLLAPSED)
    const viewport = await box('editor-viewport')
    // The viewport is the widest thing on the screen: more than half of a 1440 px window.
    expect(viewport.width).toBeGreaterThan(1440 / 2)
    expect(viewport.width).toBeGreaterThan((await box('layer-list')).width * 2)
    await shot('editor-1440x900')
  })

  it('remembers expanding the sidebar in the editor, apart from the choice on other pages', async () => {
    await toggleSidebar()
    await expect.poll(sidebarWidth, POLL).toBe(EXPANDED)
    const narrower = await box('editor-viewport')
    await shot('editor-sidebar-expanded-1440x900')
    await page.reload()
    await page.getByTestId('editor-viewport').waitFor()
    expect(await sidebarWidth()).toBe(EXPANDED)

    await toggleSidebar()
    await expect.poll(sidebarWidth, POLL).toBe(COLLAPSED)
    await expect.poll(async () => (await box('editor-viewport')).width, POLL).toBeGreaterThan(narrower.width + 100)

    // The projects page keeps its own (expanded) sidebar; back in the editor it is collapsed again.
    await page.getByTestId('main-nav').getByRole('link', { name: 'Projects' }).click()
    await page.waitForURL((url) => url.pathname === '/')
    await expect.poll(sidebarWidth, POLL).toBe(EXPANDED)
    await page.getByTestId('project-list').locator('tbody tr').filter({ hasText: PROJECT }).getByTestId('project-link').click()
    await page.getByTestId('editor-viewport').waitFor()
    await expect.poll(sidebarWidth, POLL).toBe(COLLAPSED)
  })

  it('gives the viewport most of a 1920×1080 screen too', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 })
    await expect.poll(async () => (await box('editor-viewport')).width, POLL).toBeGreaterThan(1920 / 2)
    expect(await sidebarWidth()).toBe(COLLAPSED)
    await shot('editor-1920x1080')
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  it('names rendered frames by project, composition, frame and pass, shown whole in the asset grid', async () => {
    await addLayer(page, 'Solid')
    await expect.poll(() => page.getByTestId('layer-row').count(), POLL).toBe(1)
    // 3D, so the depth pass has something to show (a flat composition's depth is refused with a warning).
    await page.getByTestId('layer-row').first().click()
    await page.getByTestId('layer-3d').click()
    await expect.poll(() => page.locator('[data-testid="layer-3d"][aria-checked="true"], [data-testid="layer-3d"] [aria-checked="true"]').count(), POLL).toBe(1)
    await expect.poll(() => page.getByTestId('editor-save-state').getAttribute('data-state'), POLL).toBe('saved')

    await page.getByTestId('send-frame').click()
    await page.getByRole('menuitem', { name: 'Colour', exact: true }).click()
    await page.waitForURL((url) => url.pathname === '/generate')

    await page.goBack()
    await page.getByTestId('editor-viewport').click()
    await page.keyboard.press('Shift+ArrowRight')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.getByTestId('timeline-frame').textContent(), POLL).toMatch(/^12/)
    await page.getByTestId('send-frame').click()
    await page.getByRole('menuitem', { name: 'Depth', exact: true }).click()
    await page.waitForURL((url) => url.pathname === '/generate')

    await page.getByTestId('main-nav').getByRole('link', { name: 'Assets' }).click()
    await page.waitForURL((url) => url.pathname === '/assets')
    await expect.poll(() => page.getByTestId('asset-name').count(), POLL).toBe(2)
    const names = page.getByTestId('asset-name')
    const expected = [`${PROJECT} · ${PROJECT} · frame 12 · depth.png`, `${PROJECT} · ${PROJECT} · frame 0 · colour.png`]
    expect((await names.allTextContents()).map((text) => text.trim()).sort()).toEqual([...expected].sort())
    for (const name of expected) {
      const label = names.filter({ hasText: name })
      // Hovering the name shows all of it; in a 12rem card it is not cut short either.
      expect(await label.getAttribute('title')).toBe(name)
      expect(await label.evaluate((element) => element.scrollHeight <= element.clientHeight + 1)).toBe(true)
    }
    await names.first().hover()
    await shot('assets-rendered-frames')
  })
})
