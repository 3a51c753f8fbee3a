import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { ComfyStandIn } from '../comfy/stand-in/server'
import { freshDatabase } from '../db/harness'
import { MODELS } from '../db/generations-harness'
import { BOOTSTRAP_TOKEN, openApp, signIn, type BrowserApp } from './harness'

const POLL = { timeout: 30_000, interval: 100 }

/**
 * The queue's controls in the browser: cancel, retry and delete on the Generate page; editing,
 * disabling and resuming servers in Settings. The app runs on PostgreSQL so the test can pause
 * the queue the way a full disk on another instance would.
 */
describe('the web app: generation queue controls', () => {
  let gpu: ComfyStandIn
  let database: Awaited<ReturnType<typeof freshDatabase>>
  let app: BrowserApp
  let page: Page
  const script = () => createLatticeClient({ url: app.server.url, token: BOOTSTRAP_TOKEN })

  beforeAll(async () => {
    gpu = await ComfyStandIn.start({ models: structuredClone(MODELS) })
    database = await freshDatabase('postgres')
    app = await openApp({ env: { LATTICE_COMFY_URLS: gpu.url, DATABASE_URL: database.url! } })
    page = app.page
    await signIn(page)
  })
  afterAll(async () => {
    await app?.dispose()
    await database?.dispose()
    await gpu?.stop()
  })

  /** Generates from the text-to-image form and returns the new generation's card. */
  async function generate(prompt: string): Promise<{ id: string; card: Locator }> {
    if (new URL(page.url()).pathname !== '/generate') {
      await page.getByTestId('main-nav').getByRole('link', { name: 'Generate' }).click()
      await page.waitForURL((url) => url.pathname === '/generate')
    }
    const before = new Set(await page.getByTestId('generation-card').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-generation-id'))))
    const field = page.getByTestId('param-prompt').locator('textarea')
    if (!(await field.isVisible())) {
      await page.getByTestId('template-picker').click()
      await page.getByRole('option', { name: /Text to image/ }).click()
    }
    await field.fill(prompt)
    await page.getByTestId('generate-submit').click()
    let id: string | undefined
    await expect.poll(async () => {
      const ids = await page.getByTestId('generation-card').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-generation-id')))
      id = ids.find((candidate) => candidate && !before.has(candidate)) ?? undefined
      return id
    }, POLL).toBeTruthy()
    return { id: id!, card: page.locator(`[data-testid="generation-card"][data-generation-id="${id}"]`) }
  }

  /** The generation the first test cancels, which the next one retries. */
  let cancelledId = ''

  it('cancels a running generation from its card; ComfyUI is told to interrupt that prompt', async () => {
    gpu.behave('KSampler', { delayMs: 60_000, steps: 30 })
    const { id, card } = await generate('a lighthouse that never finishes')
    cancelledId = id
    await expect.poll(() => card.getAttribute('data-status'), POLL).toBe('running')
    const interruptsBefore = gpu.interrupts.length

    await card.getByTestId('generation-cancel').click()
    await expect.poll(() => card.getAttribute('data-status'), POLL).toBe('cancelled')
    expect(await card.getByTestId('generation-cancel').count()).toBe(0)
    const generation = await script().api.comfy.generations.get.query({ id })
    expect(generation.status).toBe('cancelled')
    await expect.poll(() => gpu.interrupts.slice(interruptsBefore).map((body) => body.prompt_id), POLL).toContain(generation.promptId)
  })

  it('retries the cancelled generation from its card, and it runs to the end', async () => {
    gpu.behave('KSampler', { delayMs: 300, steps: 3 })
    // Located by id (the status attribute changes as it runs): the one cancelled above, not any other cancelled card.
    const id = cancelledId
    expect(id).not.toBe('')
    const card = page.locator(`[data-testid="generation-card"][data-generation-id="${id}"]`)
    const queuedBefore = gpu.queued.length

    await card.getByTestId('generation-retry').click()
    await expect.poll(() => card.getAttribute('data-status'), POLL).toBe('succeeded')
    await expect.poll(() => card.getByTestId('generation-output').count(), POLL).toBe(1)
    const generation = await script().api.comfy.generations.get.query({ id })
    expect(generation.status).toBe('succeeded')
    expect(generation.params.prompt).toBe('a lighthouse that never finishes')
    // A retry is a new run: ComfyUI received exactly one more prompt, the one the generation now names.
    expect(gpu.queued.slice(queuedBefore)).toEqual([generation.promptId])
  })

  it('shows why a generation failed and retries it after the cause is gone', async () => {
    gpu.failNode('KSampler', 'oom')
    const { id, card } = await generate('a cathedral too big for the GPU')
    await expect.poll(() => card.getAttribute('data-status'), POLL).toBe('failed')
    expect(await card.getByTestId('generation-error').textContent()).toMatch(/GPU memory/i)

    gpu.executor.failures.delete('KSampler')
    await card.getByTestId('generation-retry').click()
    await expect.poll(() => card.getAttribute('data-status'), POLL).toBe('succeeded')
    expect(await card.getByTestId('generation-error').count()).toBe(0)
    expect((await script().api.comfy.generations.get.query({ id })).status).toBe('succeeded')
  })

  it('deletes a generation after confirmation; its outputs stay in Assets', async () => {
    const card = page.locator('[data-testid="generation-card"][data-status="succeeded"]').first()
    const id = (await card.getAttribute('data-generation-id'))!
    const { outputs } = await script().api.comfy.generations.get.query({ id })
    expect(outputs.length).toBeGreaterThan(0)

    await card.getByTestId('generation-delete').click()
    await page.getByRole('dialog').getByTestId('confirm-action').click()
    await expect.poll(() => page.locator(`[data-generation-id="${id}"]`).count(), POLL).toBe(0)
    await expect(script().api.comfy.generations.get.query({ id })).rejects.toThrow(/No generation|not found/i)
    expect((await script().api.assets.get.query({ id: outputs[0]! })).id).toBe(outputs[0])
  })

  it('edits a server in Settings: name and concurrency are saved', async () => {
    await page.getByTestId('main-nav').getByRole('link', { name: 'Settings' }).click()
    await page.waitForURL((url) => url.pathname === '/settings')
    const section = page.getByTestId('comfy-server-section')
    const row = section.getByRole('row').filter({ has: page.locator(`[data-testid="comfy-server-row"][data-url="${gpu.url}"]`) })
    await row.waitFor()

    await row.getByTestId('comfy-server-edit').click()
    await page.getByTestId('comfy-server-name').fill('Render box')
    await page.getByTestId('comfy-server-max').fill('3')
    await page.getByTestId('comfy-server-submit').click()
    await expect.poll(async () => (await row.textContent()) ?? '', POLL).toContain('Render box')
    expect(await row.textContent()).toContain('/ 3 running here')
    const [server] = (await script().api.comfy.servers.list.query()).servers
    expect(server).toMatchObject({ name: 'Render box', url: gpu.url, maxConcurrent: 3 })
  })

  it('disables a server, so generations are refused with what to do, and enables it again', async () => {
    const row = page.getByTestId('comfy-server-section').getByRole('row').filter({ hasText: 'Render box' })
    await row.getByTestId('comfy-server-enabled').click()
    await expect.poll(async () => (await script().api.comfy.servers.list.query()).servers[0]?.enabled, POLL).toBe(false)
    await expect(script().api.comfy.generations.create.mutate({ templateId: 'text-to-image', params: { prompt: 'x' } }))
      .rejects.toThrow(/Settings → ComfyUI servers/)

    await row.getByTestId('comfy-server-enabled').click()
    await expect.poll(async () => (await script().api.comfy.servers.list.query()).servers[0]?.enabled, POLL).toBe(true)
  })

  it('shows why the queue is paused and lets an admin resume it', async () => {
    const reason = 'Storage is full: no space left on device while saving an output. Free space, then resume.'
    await database.db.prisma.appState.create({ data: { key: 'comfy.paused', value: { reason, at: new Date().toISOString() } } })
    await page.getByTestId('comfy-server-refresh').click()
    const alert = page.getByTestId('comfy-paused')
    await alert.waitFor()
    expect(await alert.textContent()).toContain(reason)

    await alert.getByRole('button', { name: 'Resume' }).click()
    await expect.poll(() => alert.count(), POLL).toBe(0)
    expect(await database.db.prisma.appState.findUnique({ where: { key: 'comfy.paused' } })).toBeNull()
    expect((await script().api.comfy.servers.list.query()).paused).toBeNull()
  })

  it('reported no errors in the page', () => {
    expect(app.pageErrors).toEqual([])
  })
})
