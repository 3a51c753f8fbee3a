import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, openApp, signIn, signOut, trpcGet, type BrowserApp } from './harness'

const POLL = { timeout: 15_000, interval: 100 }

function tokenRow(page: Page, name: string): Locator {
  return page.getByTestId('token-list').locator('tbody tr').filter({ hasText: name })
}

/** API tokens (a script really uses one), password change, users, and signing out. */
describe('the web app: settings and sign-out', () => {
  let app: BrowserApp
  let page: Page
  let secret = ''
  const EDITOR = { email: 'editor@example.com', password: 'editor-password-1' }

  beforeAll(async () => {
    app = await openApp()
    page = app.page
    await signIn(page)
    await page.getByTestId('main-nav').getByRole('link', { name: 'Settings' }).click()
    await page.waitForURL((url) => url.pathname === '/settings')
  })
  afterAll(async () => {
    await app?.dispose()
  })

  it('creates an API token and shows its secret once', async () => {
    await page.getByTestId('token-name').fill('render farm')
    await page.getByTestId('token-create').click()
    const dialog = page.getByRole('dialog')
    await page.getByTestId('token-secret').waitFor()
    secret = await page.getByTestId('token-secret').inputValue()
    expect(secret).toMatch(/^lat_/)
    expect(await dialog.textContent()).toContain('this secret will not be shown again')
    await page.getByTestId('token-created-done').click()
    await dialog.waitFor({ state: 'hidden' })

    const row = tokenRow(page, 'render farm')
    expect(await row.getByTestId('token-status').textContent()).toContain('Active')
    // Only the prefix is listed, never the secret.
    expect(await page.getByTestId('token-list').textContent()).not.toContain(secret)
    expect(await row.textContent()).toContain(secret.slice(0, 10))
  })

  it('lets a script authenticate with the token until it is revoked', async () => {
    const before = await trpcGet(app.server.url, 'auth.me', secret)
    expect(before.status, JSON.stringify(before.body)).toBe(200)
    expect(before.data, JSON.stringify(before.body)).toMatchObject({ email: ADMIN.email, role: 'admin' })

    await tokenRow(page, 'render farm').getByTestId('token-revoke').click()
    await page.getByTestId('confirm-action').click()
    await expect.poll(() => tokenRow(page, 'render farm').getByTestId('token-status').textContent(), POLL).toContain('Revoked')
    expect(await tokenRow(page, 'render farm').getByTestId('token-revoke').count()).toBe(0)

    const after = await trpcGet(app.server.url, 'auth.me', secret)
    expect(after.status).toBe(200)
    expect(after.data).toBeNull()
    const refused = await trpcGet(app.server.url, 'projects.list', secret)
    expect(refused.status).toBe(401)
  })

  it('adds a user as an admin', async () => {
    await page.getByTestId('user-add').click()
    await page.getByTestId('user-email').fill(EDITOR.email)
    await page.getByTestId('user-name').fill('Editor')
    await page.getByTestId('user-password').fill('short')
    await page.getByTestId('user-create-submit').click()
    await expect.poll(() => page.getByTestId('user-create-error').textContent(), POLL).toContain('at least 8 characters')
    await page.getByTestId('user-password').fill(EDITOR.password)
    await page.getByTestId('user-create-submit').click()
    await page.getByTestId('user-create-submit').waitFor({ state: 'hidden' })
    await expect.poll(() => page.getByTestId('user-list').textContent(), POLL).toContain(EDITOR.email)
  })

  it('signs out to the login page, and the session is gone', async () => {
    await signOut(page)
    await page.goto('/')
    await page.waitForURL((url) => url.pathname === '/login')
  })

  it('gives a user who is not an admin no user management, and checks the current password', async () => {
    await signIn(page, EDITOR)
    await page.goto('/settings')
    await page.getByTestId('token-section').waitFor()
    expect(await page.getByTestId('settings-user').textContent()).toBe('Editor')
    expect(await page.getByTestId('user-section').count()).toBe(0)

    await page.getByTestId('password-current').fill('not-my-password')
    await page.getByTestId('password-new').fill('another-password-2')
    await page.getByTestId('password-confirm').fill('another-password-2')
    await page.getByTestId('password-submit').click()
    await expect.poll(() => page.getByTestId('password-error').textContent(), POLL).toContain('The current password is wrong.')

    await page.getByTestId('password-current').fill(EDITOR.password)
    await page.getByTestId('password-submit').click()
    await expect.poll(() => page.getByTestId('password-current').inputValue(), POLL).toBe('')
    expect(await page.getByTestId('password-error').count()).toBe(0)

    await signOut(page)
    await signIn(page, { email: EDITOR.email, password: 'another-password-2' })
  })

  it('reported no errors in the page', () => {
    expect(app.pageErrors).toEqual([])
  })
})
