import { existsSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { AppError } from '../../shared/errors'

/** Flags for a server without a display; the GPU only when the operator says there is one. */
const BASE_ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--mute-audio']
const SOFTWARE_ARGS = ['--disable-gpu']
const GPU_ARGS = ['--enable-gpu', '--ignore-gpu-blocklist', '--use-angle=vulkan', '--enable-features=Vulkan']

/** Read at call time, so a changed environment (or a test) takes effect without a restart. */
export function chromiumPath(): string {
  return process.env.LATTICE_CHROMIUM_PATH || '/usr/bin/chromium'
}

/** Where a GPU shows up to Chromium on Linux: a DRM render node (Mesa, AMD, Intel) or NVIDIA's device. */
const GPU_DEVICES = ['/dev/dri/renderD128', '/dev/nvidia0']

/**
 * LATTICE_EXPORT_GPU: `auto` (default) tries the GPU when the machine has one, `1` always tries
 * it, `0` never does. A GPU that gives no WebGL2 falls back to SwiftShader; the job's log says
 * which renderer drew the frames.
 */
function wantsGpu(): boolean {
  const setting = process.env.LATTICE_EXPORT_GPU?.trim() || 'auto'
  if (setting === '0') return false
  if (setting === '1') return true
  return GPU_DEVICES.some((device) => existsSync(device))
}

/**
 * The one headless Chromium of this server, for exports: started on first use, shared by every
 * running export (one page each), started again if it crashed, closed on shutdown.
 */
export class ExportBrowser {
  private browser: Promise<Browser> | null = null
  private closed = false

  async newPage(): Promise<Page> {
    const browser = await this.ensure()
    const context = await browser.newContext({ viewport: { width: 320, height: 240 } })
    const page = await context.newPage()
    // Closing the page closes its context: nothing of an export outlives it.
    page.once('close', () => { context.close().catch(() => {}) })
    return page
  }

  async close(): Promise<void> {
    this.closed = true
    const browser = await this.browser?.catch(() => null)
    this.browser = null
    await browser?.close().catch(() => {})
  }

  private ensure(): Promise<Browser> {
    if (this.closed) return Promise.reject(new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down; the export will resume when it is back.'))
    if (!this.browser) {
      const launching = launch()
      this.browser = launching
      launching.then(
        (browser) => browser.on('disconnected', () => { if (this.browser === launching) this.browser = null }),
        () => { if (this.browser === launching) this.browser = null },
      )
    }
    return this.browser
  }
}

async function launch(): Promise<Browser> {
  if (wantsGpu()) {
    const browser = await start(GPU_ARGS).catch((error: unknown) => {
      if (error instanceof ExportToolMissing) throw error
      return null
    })
    if (browser && await hasWebGl2(browser)) return browser
    await browser?.close().catch(() => {})
    console.warn('[export] Chromium could not use the GPU for WebGL2; exports render with SwiftShader.')
  }
  return start(SOFTWARE_ARGS)
}

async function hasWebGl2(browser: Browser): Promise<boolean> {
  const page = await browser.newPage()
  try {
    return await page.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null)
  } catch {
    return false
  } finally {
    await page.close().catch(() => {})
  }
}

async function start(modeArgs: string[]): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  const executablePath = chromiumPath()
  try {
    return await chromium.launch({ executablePath, args: [...BASE_ARGS, ...modeArgs], timeout: 60_000 })
  } catch (error) {
    const message = (error as Error).message
    if (/ENOENT|doesn't exist|no such file|Failed to launch/i.test(message)) {
      throw new ExportToolMissing(`Chromium was not found at ${executablePath}: exports render in it. Install Debian's "chromium" package or set LATTICE_CHROMIUM_PATH to its executable.`)
    }
    throw error
  }
}

/** ffmpeg or Chromium is not installed: not worth retrying until an operator acts. */
export class ExportToolMissing extends Error {
  readonly kind = 'missing_tool'
  readonly transient = false
  constructor(message: string) {
    super(message)
    this.name = 'ExportToolMissing'
  }
}
