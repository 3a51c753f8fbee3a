import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { parseDocument } from '../../shared/project'
import { ADMIN, BOOTSTRAP_TOKEN, openApp, type BrowserApp } from './harness'

const POLL = { timeout: 15_000, interval: 100 }

/** Rows of the project table whose name cell is exactly `name`. */
function projectRows(page: Page, name: string) {
  return page.getByTestId('project-list').locator('tbody tr').filter({ has: page.getByTestId('project-name-cell').getByText(name, { exact: true }) })
}

/** Sign-in, then the project browser and the editor, as a user clicks through them. */
describe('the web app: sign-in and projects', () => {
  let app: BrowserApp
  let page: Page
  let projectId = ''
  let exportedPath = ''
  const NAME = 'Street at dusk'
  const RENAMED = 'Street at dusk (grade)'

  beforeAll(async () => {
    app = await openApp()
    page = app.page
  })
  afterAll(async () => {
    await app?.dispose()
  })

  it('sends a visitor who is not signed in to the login page, keeping where they were going', async () => {
    await page.goto('/')
    await page.waitForURL((url) => url.pathname === '/login')
    await page.getByTestId('login-form').waitFor()

    await page.goto('/settings')
    await page.waitForURL((url) => url.pathname === '/login')
    expect(new URL(page.url()).searchParams.get('redirect')).toBe('/settings')
  })

  it('shows the server\'s message for a wrong password and for too many attempts', async () => {
    await page.getByTestId('login-email').fill(ADMIN.email)
    await page.getByTestId('login-password').fill('not-the-password')
    await page.getByTestId('login-submit').click()
    await expect.poll(() => page.getByTestId('login-error').textContent(), POLL).toContain('The email or password is wrong.')
    expect(page.url()).toContain('/login')

    // Five failures for one email lock it for a while; the sixth attempt says so.
    const stranger = 'nobody@example.com'
    for (let attempt = 1; attempt <= 6; attempt++) {
      await page.getByTestId('login-email').fill(stranger)
      await page.getByTestId('login-password').fill(`guess-${attempt}`)
      await page.getByTestId('login-submit').click()
      // The button is disabled while the request runs; wait for the answer before the next try.
      await page.locator('[data-testid="login-submit"]:not([disabled])').waitFor()
    }
    await expect.poll(() => page.getByTestId('login-error').textContent(), POLL).toMatch(/Too many failed sign-ins\. Wait \d+ s/)
  })

  it('signs in and continues to the page that was asked for', async () => {
    await page.getByTestId('login-email').fill(ADMIN.email)
    await page.getByTestId('login-password').fill(ADMIN.password)
    await page.getByTestId('login-submit').click()
    await page.waitForURL((url) => url.pathname === '/settings')
    await expect.poll(() => page.getByTestId('settings-user').textContent(), POLL).toBe('Admin')

    // Signed in, the login page sends you home.
    await page.goto('/login')
    await page.waitForURL((url) => url.pathname === '/')
  })

  it('refuses a width that is not a multiple of 8 with a clear message, then creates the project and opens it in the editor', async () => {
    await page.getByTestId('project-list').waitFor()
    await page.getByTestId('project-new').click()
    await page.getByTestId('project-name').fill(NAME)
    await page.getByTestId('project-width').fill('1001')
    await page.getByTestId('project-height').fill('576')
    await page.getByTestId('project-fps').fill('24')
    await page.getByTestId('project-frames').fill('48')
    await page.getByTestId('project-create-submit').click()
    const form = page.getByTestId('project-create-form')
    await expect.poll(() => form.textContent(), POLL).toContain('Width must be a multiple of 8 (got 1001); try 1000.')
    // Nothing was created: the dialog is still open and the list is empty.
    expect(await form.isVisible()).toBe(true)
    expect(await projectRows(page, NAME).count()).toBe(0)

    await page.getByTestId('project-width').fill('1024')
    // The message goes as soon as the value is fixed.
    await expect.poll(() => form.textContent(), POLL).not.toContain('multiple of 8')
    await page.getByTestId('project-create-submit').click()
    await form.waitFor({ state: 'hidden' })
    // The new project opens in the editor; the list has it too.
    await page.waitForURL((url) => /^\/projects\/[0-9a-f-]{36}$/.test(url.pathname))
    await expect.poll(() => page.getByTestId('editor-project-name').textContent(), POLL).toContain(NAME)
    await page.getByTestId('main-nav').getByRole('link', { name: 'Projects' }).click()
    const row = projectRows(page, NAME)
    await row.waitFor()
    expect(await row.textContent()).toContain('1024×576')
    expect(await row.textContent()).toContain('24 fps')
    expect(await row.textContent()).toContain('48 f · 2 s')
  })

  it('opens the project in the editor with its composition settings', async () => {
    await projectRows(page, NAME).getByTestId('project-link').click()
    await page.waitForURL((url) => /^\/projects\/[0-9a-f-]{36}$/.test(url.pathname))
    projectId = new URL(page.url()).pathname.split('/').pop()!
    await expect.poll(() => page.getByTestId('composition-size').textContent(), POLL).toContain('1024×576')
    expect(await page.getByTestId('composition-fps').textContent()).toContain('24 fps')
    expect(await page.getByTestId('composition-duration').textContent()).toContain('48 f')
    expect(await page.getByTestId('editor-project-name').textContent()).toContain(NAME)
    expect(await page.getByTestId('layer-list').textContent()).toContain('No layers yet.')
    expect(await page.getByTestId('timeline').isVisible()).toBe(true)
    expect(await page.getByTestId('editor-viewport').isVisible()).toBe(true)
  })

  it('renames the project, saves it and explains a save that lost the race', async () => {
    await page.getByTestId('editor-rename').click()
    await page.getByTestId('rename-input').fill(RENAMED)
    await page.getByTestId('rename-save').click()
    await expect.poll(() => page.getByTestId('editor-project-name').textContent(), POLL).toContain(RENAMED)

    const revision = async () => Number((await page.getByTestId('editor-revision').textContent())?.match(/\d+/)?.[0])
    const before = await revision()
    await page.getByTestId('editor-save').click()
    await expect.poll(revision, POLL).toBe(before + 1)

    // Someone else saves meanwhile (a script, with the admin's bootstrap token).
    const script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    const current = await script.api.projects.get.query({ id: projectId })
    expect(current.revision).toBe(before + 1)
    await script.api.projects.save.mutate({ id: projectId, revision: current.revision, document: current.document })

    await page.getByTestId('editor-save').click()
    await expect.poll(() => page.getByTestId('editor-conflict').textContent(), POLL).toContain('saved elsewhere')
    expect(await revision()).toBe(before + 1)
    await page.getByTestId('editor-reload').click()
    await expect.poll(revision, POLL).toBe(before + 2)
    // The conflict dialog closes (after its animation).
    await expect.poll(() => page.getByTestId('editor-conflict').count(), POLL).toBe(0)

    await page.getByTestId('main-nav').getByRole('link', { name: 'Projects' }).click()
    await projectRows(page, RENAMED).waitFor()
    expect(await projectRows(page, NAME).count()).toBe(0)
  })

  it('exports a .lattice.json whose document is valid', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      projectRows(page, RENAMED).getByTestId('project-export').click(),
    ])
    expect(download.suggestedFilename()).toBe(`${RENAMED}.lattice.json`)
    exportedPath = join(app.files, download.suggestedFilename())
    await download.saveAs(exportedPath)
    const file = JSON.parse(await readFile(exportedPath, 'utf8'))
    expect(file).toMatchObject({ format: 'lattice.project', name: RENAMED })
    const { document } = parseDocument(file.document)
    const main = document.compositions[document.mainCompositionId]
    expect(main).toMatchObject({ width: 1024, height: 576, fps: 24, frameCount: 48 })
  })

  it('imports the exported file back as a second project', async () => {
    await page.getByTestId('project-import-input').setInputFiles(exportedPath)
    await expect.poll(() => projectRows(page, RENAMED).count(), POLL).toBe(2)
    const { items } = await createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN }).api.projects.list.query({ search: RENAMED })
    expect(items).toHaveLength(2)
  })

  it('duplicates a project', async () => {
    await projectRows(page, RENAMED).first().getByTestId('project-duplicate').click()
    await projectRows(page, `${RENAMED} copy`).waitFor()
    expect(await projectRows(page, `${RENAMED} copy`).textContent()).toContain('1024×576')
    expect(await projectRows(page, RENAMED).count()).toBe(2)
  })

  it('moves a project to the trash, restores it, and deletes one forever after confirming', async () => {
    await projectRows(page, RENAMED).first().getByTestId('project-trash').click()
    await expect.poll(() => projectRows(page, RENAMED).count(), POLL).toBe(1)

    await page.getByTestId('view-trash').click()
    await expect.poll(() => projectRows(page, RENAMED).count(), POLL).toBe(1)
    await projectRows(page, RENAMED).getByTestId('project-restore').click()
    await page.getByTestId('project-list-empty').waitFor()

    await page.getByTestId('view-active').click()
    await expect.poll(() => projectRows(page, RENAMED).count(), POLL).toBe(2)

    // Delete forever is only offered in the trash, and asks first.
    await projectRows(page, RENAMED).first().getByTestId('project-trash').click()
    await expect.poll(() => projectRows(page, RENAMED).count(), POLL).toBe(1)
    await page.getByTestId('view-trash').click()
    await projectRows(page, RENAMED).getByTestId('project-purge').click()
    await page.getByTestId('confirm-action').click()
    await page.getByTestId('project-list-empty').waitFor()
    await page.getByTestId('view-active').click()
    await expect.poll(() => projectRows(page, RENAMED).count(), POLL).toBe(1)

    const script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    expect((await script.api.projects.list.query({ trashed: true })).items).toHaveLength(0)
    expect((await script.api.projects.list.query({})).items.map((item) => item.name).sort()).toEqual([RENAMED, `${RENAMED} copy`])
  })

  it('finds projects by name with the search box', async () => {
    await page.getByTestId('project-search').fill('no such project')
    await expect.poll(() => page.getByTestId('project-list-empty').textContent(), POLL).toContain('No projects match “no such project”')
    // From the empty result back to a match: only a working search brings the row back.
    await page.getByTestId('project-search').fill('GRADE')
    await expect.poll(() => projectRows(page, RENAMED).count(), POLL).toBe(1)
  })

  it('pages a long list with "Load more"', async () => {
    const script = createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })
    for (let n = 1; n <= 30; n++) await script.api.projects.create.mutate({ name: `Shot ${String(n).padStart(2, '0')}` })
    await page.getByTestId('project-search').fill('')
    await page.reload()
    const rows = page.getByTestId('project-list').locator('tbody tr')
    // 32 projects, 30 a page, newest first: the two older ones come with the second page.
    await expect.poll(() => rows.count(), POLL).toBe(30)
    expect(await projectRows(page, RENAMED).count()).toBe(0)
    await page.getByTestId('project-load-more').click()
    await expect.poll(() => rows.count(), POLL).toBe(32)
    expect(await projectRows(page, RENAMED).count()).toBe(1)
    expect(await page.getByTestId('project-load-more').count()).toBe(0)
  })

  it('reported no errors in the page', () => {
    expect(app.pageErrors).toEqual([])
  })
})
