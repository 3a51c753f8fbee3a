import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient, type LatticeClient } from '../../client'
import type { ProjectDocument } from '../../shared/project'
import { ADMIN, BOOTSTRAP_TOKEN, freePort, startServer, type RunningServer } from '../e2e/server'
import { readmeNginxBlock, requireNginx, startNginx, subPathBlock, type RunningNginx } from '../support/nginx'
import { BASE_PATH, ensureSubpathBuild } from '../support/subpath-build'
import { addLayer } from './harness'

const POLL = { timeout: 15_000, interval: 100 }
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
/** The build (when the source changed since the last one) and the server start happen once, here. */
const SETUP_TIMEOUT = 10 * 60_000

/**
 * Lattice built for a sub-path, behind Debian's nginx configured with the README's block, on a
 * port that is not 80: what users who followed the README run.
 */
describe(`behind nginx under ${BASE_PATH}`, () => {
  let server: RunningServer
  let nginx: RunningNginx
  let browser: Browser
  let page: Page
  /** The app's address as a user types it: `http://127.0.0.1:<port>/lattice`. */
  let app = ''
  let files = ''
  let script: LatticeClient
  const pageErrors: string[] = []
  /** LATTICE_SCREENSHOTS keeps the screenshots for a person to look at; else they go with the temp folder. */
  const shot = (name: string) => page.screenshot({ path: join(process.env.LATTICE_SCREENSHOTS || files, `proxy-${name}.png`) })
  /** Answers of 400 and up, and requests that left the sub-path: each is a URL built without the base. */
  const strayRequests: string[] = []

  beforeAll(async () => {
    // Before the build, so a machine without nginx hears so at once.
    requireNginx()
    const entry = await ensureSubpathBuild()
    files = await mkdtemp(join(tmpdir(), 'lattice-proxy-'))
    server = await startServer({ entry, env: { LATTICE_TRUST_PROXY: '1' } })
    nginx = await startNginx(subPathBlock(await readmeNginxBlock(), BASE_PATH, server.url), await freePort())
    app = `${nginx.url}${BASE_PATH.replace(/\/$/, '')}`
    script = createLatticeClient({ url: app, token: BOOTSTRAP_TOKEN })
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    context.setDefaultTimeout(15_000)
    page = await context.newPage()
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`))
    page.on('response', (response) => {
      const url = new URL(response.url())
      if (url.origin !== nginx.url) return
      if (!url.pathname.startsWith(BASE_PATH) || response.status() >= 400) strayRequests.push(`${response.status()} ${response.request().method()} ${url.pathname}`)
    })
  }, SETUP_TIMEOUT)
  afterAll(async () => {
    await browser?.close()
    await nginx?.stop()
    await server?.dispose()
    if (files) await rm(files, { recursive: true, force: true })
  })

  it('serves the favicon under the sub-path, and the page links to it there', async () => {
    const favicon = await fetch(`${app}/favicon.svg`)
    expect(favicon.status).toBe(200)
    expect(favicon.headers.get('content-type')).toContain('image/svg+xml')
    expect(await favicon.text()).toContain('<svg')
    const shell = await (await fetch(`${app}/login`)).text()
    expect(shell).toContain(`href="${BASE_PATH}favicon.svg"`)
  })

  it('redirects the sub-path typed without its slash to the app', async () => {
    const bare = await fetch(app, { redirect: 'manual' })
    expect(bare.status).toBe(301)
    expect(new URL(bare.headers.get('location')!, app).pathname).toBe(BASE_PATH)
  })

  it('sends a signed-out visitor to sign in under the sub-path, then on to the page they asked for', async () => {
    await page.goto(`${app}/settings`)
    await page.waitForURL((url) => url.pathname === `${BASE_PATH}login`)
    await page.getByTestId('login-email').fill(ADMIN.email)
    await page.getByTestId('login-password').fill(ADMIN.password)
    await page.getByTestId('login-submit').click()
    await page.waitForURL((url) => url.pathname === `${BASE_PATH}settings`)
    await expect.poll(() => page.getByTestId('settings-user').textContent(), POLL).toBe('Admin')
    await page.getByTestId('main-nav').getByRole('link', { name: 'Projects' }).click()
    await page.waitForURL((url) => url.pathname === BASE_PATH)
    await expect.poll(() => page.getByTestId('project-list').textContent(), POLL).not.toContain('Loading')
    await shot('projects')
    const cookies = await page.context().cookies(app)
    // The session belongs to this app only, not to everything else served on the host.
    expect(cookies.find((cookie) => cookie.name === 'lattice_session')).toMatchObject({ path: BASE_PATH.replace(/\/$/, ''), httpOnly: true })
  })

  it('creates a project, edits it in the editor and saves it', async () => {
    await page.getByTestId('project-new').click()
    await page.getByTestId('project-name').fill('Behind the proxy')
    await page.getByTestId('project-create-submit').click()
    await page.getByTestId('project-create-form').waitFor({ state: 'hidden' })
    // The new project opens in the editor.
    await page.waitForURL((url) => url.pathname.startsWith(`${BASE_PATH}projects/`))
    const projectId = new URL(page.url()).pathname.split('/').pop()!

    await addLayer(page, 'Solid')
    await expect.poll(() => page.getByTestId('layer-row').count(), POLL).toBe(1)
    const revision = async () => Number((await page.getByTestId('editor-revision').textContent())?.match(/\d+/)?.[0])
    const before = await revision()
    await page.getByTestId('editor-save').click()
    await expect.poll(revision, POLL).toBeGreaterThan(before)
    await expect.poll(() => page.getByTestId('editor-save-state').getAttribute('data-state'), POLL).toBe('saved')
    await shot('editor')

    const stored = await script.api.projects.get.query({ id: projectId }) as { name: string; document: ProjectDocument }
    expect(stored.name).toBe('Behind the proxy')
    const layers = stored.document.compositions[stored.document.mainCompositionId]!.layers
    expect(layers.map((layer) => layer.kind)).toEqual(['solid'])
    // A reload lands on the same editor: the sub-path's deep links are served by the app too.
    await page.reload()
    await expect.poll(() => page.getByTestId('layer-row').count(), POLL).toBe(1)
  })

  it('signs out to the sign-in page under the sub-path, and the session cookie goes', async () => {
    await page.getByTestId('user-menu').click()
    await page.getByRole('menuitem', { name: 'Sign out' }).click()
    await page.waitForURL((url) => url.pathname === `${BASE_PATH}login`)
    expect((await page.context().cookies(app)).map((cookie) => cookie.name)).not.toContain('lattice_session')
  })

  it('made every request under the sub-path, and none failed', () => {
    expect(strayRequests).toEqual([])
    expect(pageErrors).toEqual([])
  })

  it('serves scripts through the typed client: list, create, save', async () => {
    const created = await script.api.projects.create.mutate({ name: 'Scripted behind the proxy', width: 320, height: 240, fps: 24, frameCount: 24 })
    const listed = await script.api.projects.list.query({ search: 'behind the proxy' })
    expect(listed.items.map((item) => item.name).sort()).toEqual(['Behind the proxy', 'Scripted behind the proxy'])
    const current = await script.api.projects.get.query({ id: created.id }) as { revision: number; document: ProjectDocument }
    const main = current.document.compositions[current.document.mainCompositionId]!
    const longer: ProjectDocument = { ...current.document, compositions: { ...current.document.compositions, [main.id]: { ...main, frameCount: 48 } } }
    const saved = await script.api.projects.save.mutate({ id: created.id, revision: current.revision, document: longer })
    expect(saved.revision).toBe(current.revision + 1)
    const reopened = await script.api.projects.get.query({ id: created.id }) as { revision: number; document: ProjectDocument }
    expect(reopened.revision).toBe(saved.revision)
    expect(reopened.document.compositions[main.id]!.frameCount).toBe(48)
  })

  it('streams an upload through the proxy and its job progress back over SSE', async () => {
    const clip = join(files, 'clip.mp4')
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-t', '1', '-pix_fmt', 'yuv420p', clip])
    const { asset, jobId } = await script.uploadAsset(clip)
    expect(jobId).toBeTruthy()
    const events: string[] = []
    expect(await script.waitForJob(jobId!, ({ event }) => events.push(event.type))).toBe('succeeded')
    expect(events.length).toBeGreaterThan(0)
    const file = await fetch(`${app}/api/assets/${asset.id}/file`, { headers: { authorization: `Bearer ${BOOTSTRAP_TOKEN}` } })
    expect(file.status).toBe(200)
    expect(Number(file.headers.get('content-length'))).toBeGreaterThan(0)
    await file.body?.cancel()
  })

  it('counts failed sign-ins against the address nginx saw, whatever X-Forwarded-For the client sends', async () => {
    await script.api.users.create.mutate({ email: 'guesser@example.com', password: 'guesser-password-1' })
    const signInAs = (password: string, forwardedFor: string) => fetch(`${app}/api/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ email: 'guesser@example.com', password }),
    })
    for (let attempt = 0; attempt < 5; attempt++) expect((await signInAs('wrong-password', `198.51.100.${attempt}`)).status).toBe(401)
    const locked = await signInAs('guesser-password-1', '198.51.100.200')
    expect(locked.status).toBe(429)
    expect(await locked.text()).toMatch(/Too many failed sign-ins\. Wait \d+ s and try again\./)
  })
})
