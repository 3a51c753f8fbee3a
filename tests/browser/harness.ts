import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { transformer } from '../../shared/transformer'
import { ADMIN, startServer, type RunningServer } from '../e2e/server'

export { ADMIN, BOOTSTRAP_TOKEN } from '../e2e/server'

/** Debian's Chromium, headless, with nothing that reaches the network on its own. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

export interface BrowserApp {
  server: RunningServer
  browser: Browser
  context: BrowserContext
  page: Page
  /** A temp folder for files the test makes or downloads; removed by dispose(). */
  files: string
  /** Problems the page reported (uncaught errors, console errors), for failure messages. */
  pageErrors: string[]
  dispose(): Promise<void>
}

/** The built server on a fresh database (with extra environment, if given), and one Chromium page on it. */
export async function openApp(options: { env?: Record<string, string> } = {}): Promise<BrowserApp> {
  const server = await startServer({ env: options.env })
  const files = await mkdtemp(join(tmpdir(), 'lattice-browser-'))
  let browser: Browser | undefined
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
    const context = await browser.newContext({ baseURL: server.url, acceptDownloads: true, viewport: { width: 1440, height: 900 } })
    context.setDefaultTimeout(15_000)
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`))
    page.on('console', (message) => {
      // Answers like 401 for a wrong password are expected; Chromium logs each as a failed resource.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${message.text()}`)
    })
    const opened = browser
    return {
      server, browser: opened, context, page, files, pageErrors,
      async dispose() {
        await opened.close()
        await server.dispose()
        await rm(files, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await browser?.close()
    await server.dispose()
    await rm(files, { recursive: true, force: true })
    throw error
  }
}

/** Signs in through the login form and waits to land on `landing` (a path regexp). */
export async function signIn(page: Page, credentials: { email: string; password: string } = ADMIN, landing: RegExp = /\/$/): Promise<void> {
  if (!new URL(page.url(), 'http://x').pathname.startsWith('/login')) await page.goto('/login')
  await page.getByTestId('login-email').fill(credentials.email)
  await page.getByTestId('login-password').fill(credentials.password)
  await page.getByTestId('login-submit').click()
  await page.waitForURL((url) => landing.test(url.pathname))
}

/** Signs out through the user menu and waits for the login page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByTestId('user-menu').click()
  await page.getByRole('menuitem', { name: 'Sign out' }).click()
  await page.waitForURL((url) => url.pathname === '/login')
}

/** `GET /api/trpc/<path>` with a bearer token, as a plain script would; `data` decoded with the wire transformer. */
export async function trpcGet(baseUrl: string, path: string, token: string): Promise<{ status: number; data: unknown; body: unknown }> {
  const response = await fetch(`${baseUrl}/api/trpc/${path}`, { headers: { authorization: `Bearer ${token}` } })
  const body = await response.json() as { result?: { data?: unknown } }
  return { status: response.status, data: body.result ? transformer.deserialize(body.result.data) : undefined, body }
}

/**
 * Adds a layer from the Layers panel's Add menu, following `path` through its submenus, and waits
 * for the menu to close: it hands focus back to its button as it closes, and a keystroke sent
 * before that lands on the button (an Enter would open the menu and add a second layer).
 */
export async function addLayer(page: Page, ...path: string[]): Promise<void> {
  await page.getByTestId('layer-add').click()
  for (const name of path) await page.getByRole('menuitem', { name, exact: true }).click()
  await page.getByRole('menu').first().waitFor({ state: 'detached', timeout: 15_000 })
}

/** Where a test's screenshots go: LATTICE_SCREENSHOTS keeps them for a person to look at; else the app's temp folder. */
export function screenshotFolder(app: BrowserApp): string {
  return process.env.LATTICE_SCREENSHOTS || app.files
}

/** Screenshots of the page at 1440×900 and at 1920×1080 (`<name>-1440.png`, `<name>-1920.png`); the page is left at 1440×900. */
export async function shootBoth(page: Page, folder: string, name: string): Promise<void> {
  await page.screenshot({ path: join(folder, `${name}-1440.png`) })
  await page.setViewportSize({ width: 1920, height: 1080 })
  await page.screenshot({ path: join(folder, `${name}-1920.png`) })
  await page.setViewportSize({ width: 1440, height: 900 })
}
