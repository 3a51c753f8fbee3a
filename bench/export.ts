/**
 * Export speed and memory. A 1920×1080, 20-layer composition of 120 frames exported to H.264,
 * beside two floors measured in the same run on the same machine:
 * - render: bare `renderFrame` + `readPixels` of the same frames in the same kind of browser
 *   (Debian's Chromium, SwiftShader unless the export uses a GPU), no transfer, no encoding;
 * - encode: bare `ffmpeg -f rawvideo` encoding the same frames (decoded back from the export)
 *   with the export's own arguments, from a file on disk.
 * The export runs both at once (frame n+1 renders while frame n encodes), so its floor is the
 * slower of the two. Then the server's and its Chromium's resident memory over a 1,000-frame
 * export (at a quarter of the size, to keep the run short): flat means it does not grow with frames.
 */
import { execFileSync, spawn } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { createLatticeClient, type LatticeClient } from '../client'
import type { HeadlessApi } from '../renderer'
import { planEncode } from '../server/export/encode/args'
import type { ProjectDocument } from '../shared/project'
import { IMAGE_ID, imageDataUrl, twentyLayerDocument } from './render'
import { median, round } from './stats'

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
const RENDER_FLOOR_FRAMES = 12
const RENDER_FLOOR_WARMUP = 2
/** Bench image n → the asset id it was uploaded as on the first server (the memory run uploads its own). */
const IMAGE_ID_OF = new Map<number, string>()

export interface ExportBenchResult {
  frames: number
  width: number
  height: number
  exportFps: number
  renderFloorFps: number
  encodeFloorFps: number
  /** exportFps / min(renderFloorFps, encodeFloorFps); the target is ≥ 0.85. */
  ratio: number
  memory: MemoryResult
}

export interface MemoryResult {
  frames: number
  width: number
  height: number
  seconds: number
  /** Peak resident MB of the server process, over the first and the last quarter of the export, and overall. */
  server: { firstQuarter: number; lastQuarter: number; peak: number }
  /** The same for the server's Chromium (every process of it). */
  browser: { firstQuarter: number; lastQuarter: number; peak: number }
}

export async function measureExport(options: { lattice: LatticeClient; serverUrl: string; serverPid: number; workDir: string; frames: number; memoryFrames: number }): Promise<ExportBenchResult> {
  const { lattice, frames } = options
  const images = await Promise.all([0, 1, 2].map(async (n) => {
    const dataUrl = await imageDataUrl(n)
    const { asset } = await lattice.uploadAsset(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'), { name: `bench-${n}.png` })
    return { fixed: IMAGE_ID(n), id: asset.id, dataUrl }
  }))
  const document = withLength(twentyLayerDocument(), Math.max(frames, options.memoryFrames), images)
  for (const image of images) IMAGE_ID_OF.set(images.indexOf(image), image.id)
  const project = await lattice.api.projects.create.mutate({ name: 'Export bench', width: 1920, height: 1080, fps: 16 })
  await lattice.api.projects.save.mutate({ id: project.id, revision: project.revision, document })
  const compositionId = document.mainCompositionId

  // The export, timed from its run starting to its end (page start-up and storing included).
  const exported = await timedExport(lattice, project.id, compositionId, { start: 0, end: frames }, 'full', options.workDir)
  const exportFps = frames / exported.seconds
  console.log(`  export: ${frames} frames in ${exported.seconds.toFixed(1)} s = ${exportFps.toFixed(2)} frames/s`)

  const renderFloorFps = await renderFloor(options.serverUrl, document, compositionId, Object.fromEntries(images.map((i) => [i.id, i.dataUrl])))
  console.log(`  render floor: ${renderFloorFps.toFixed(2)} frames/s`)
  const encodeFloorFps = await encodeFloor(exported.path, frames, options.workDir)
  console.log(`  encode floor: ${encodeFloorFps.toFixed(2)} frames/s`)

  console.log(`  memory: ${options.memoryFrames} frames at a quarter of the size, on a server of its own…`)
  const memory = await measureMemory(options, document)
  return {
    frames, width: 1920, height: 1080, exportFps: round(exportFps), renderFloorFps: round(renderFloorFps), encodeFloorFps: round(encodeFloorFps),
    ratio: round(exportFps / Math.min(renderFloorFps, encodeFloorFps)), memory,
  }
}

/** The bench document with real asset ids and every layer spanning `frames`. */
function withLength(document: ProjectDocument, frames: number, images: { fixed: string; id: string }[]): ProjectDocument {
  let text = JSON.stringify(document)
  for (const image of images) text = text.replaceAll(image.fixed, image.id)
  const copy = JSON.parse(text) as ProjectDocument
  const main = copy.compositions[copy.mainCompositionId]!
  main.frameCount = frames
  for (const layer of main.layers) layer.outPoint = frames
  return copy
}

async function timedExport(lattice: LatticeClient, projectId: string, compositionId: string, range: { start: number; end: number }, scale: 'full' | 'quarter', workDir: string, onRunning?: () => void) {
  const created = await lattice.api.export.create.mutate({ projectId, compositionId, range, scale, outputs: [{ kind: 'video', format: 'h264' }] })
  let startedAt = 0
  let endedAt = 0
  const status = await lattice.waitForJob(created.job.id, ({ at, event }) => {
    if (event.type !== 'status') return
    if (event.status === 'running') { startedAt = Date.parse(at); onRunning?.() }
    if (event.status === 'succeeded') endedAt = Date.parse(at)
  })
  if (status !== 'succeeded') throw new Error(`the bench export ${status}: ${(await lattice.api.export.get.query({ id: created.id })).job.error}`)
  const done = await lattice.api.export.get.query({ id: created.id })
  const path = join(workDir, `bench-export-${created.id}.mp4`)
  const { writeFile } = await import('node:fs/promises')
  await writeFile(path, await lattice.downloadAsset(done.files[0]!.assetId))
  return { seconds: (endedAt - startedAt) / 1000, path }
}

async function renderFloor(serverUrl: string, document: ProjectDocument, compositionId: string, assets: Record<string, string>): Promise<number> {
  const browser = await chromium.launch({ executablePath: process.env.LATTICE_CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS })
  try {
    const page = await browser.newPage()
    await page.goto(`${serverUrl}/render`)
    await page.waitForFunction(() => (window as unknown as { lattice?: HeadlessApi }).lattice?.ready === true, undefined, { timeout: 30_000 })
    const times = await page.evaluate(async ([doc, comp, a, warmup, count]) => {
      const api = (window as unknown as { lattice: HeadlessApi }).lattice
      const out: number[] = []
      // renderFrame + readPixels per frame, as the export's page does; the first frames load the assets.
      for (let i = 0; i < warmup + count; i++) {
        const result = await api.renderFrame(doc, comp, i, 'color', { assets: a })
        if (i >= warmup) out.push(result.renderMs + result.readMs)
      }
      return out
    }, [document, compositionId, assets, RENDER_FLOOR_WARMUP, RENDER_FLOOR_FRAMES] as const)
    return 1000 / median(times)
  } finally {
    await browser.close()
  }
}

/** ffmpeg alone on the export's frames with the export's arguments, reading raw frames from disk. */
async function encodeFloor(video: string, frames: number, workDir: string): Promise<number> {
  const raw = join(workDir, 'bench-frames.rgba')
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', video, '-f', 'rawvideo', '-pix_fmt', 'rgba', raw])
  const plan = planEncode({ width: 1920, height: 1080, fps: 16, pixels: 'rgba', directory: workDir, baseName: 'bench-floor', target: { kind: 'video', format: 'h264' } })
  const args = plan.args.map((arg) => (arg === 'pipe:0' ? raw : arg))
  // Page the frames in first, so the floor measures encoding and not the disk.
  await readFile(raw).then(() => undefined)
  const started = performance.now()
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.env.LATTICE_FFMPEG_PATH || 'ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.on('data', (chunk) => { err += chunk })
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg floor failed: ${err}`))))
  })
  const seconds = (performance.now() - started) / 1000
  await rm(raw, { force: true })
  await rm(plan.output, { force: true })
  return frames / seconds
}

/** On a fresh server, so what an earlier export left in the heap does not count. */
async function measureMemory(options: { workDir: string; memoryFrames: number }, document: ProjectDocument): Promise<MemoryResult> {
  const { startServer, BOOTSTRAP_TOKEN } = await import('../tests/e2e/server')
  const server = await startServer()
  try {
    const lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
    let text = JSON.stringify(document)
    for (const n of [0, 1, 2]) {
      const dataUrl = await imageDataUrl(n)
      const { asset } = await lattice.uploadAsset(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64'), { name: `bench-${n}.png` })
      text = text.replaceAll(IMAGE_ID_OF.get(n)!, asset.id)
    }
    const project = await lattice.api.projects.create.mutate({ name: 'Export memory bench', width: 1920, height: 1080, fps: 16 })
    await lattice.api.projects.save.mutate({ id: project.id, revision: project.revision, document: JSON.parse(text) })
    return await sampleMemory({ lattice, serverPid: server.pid, workDir: options.workDir, memoryFrames: options.memoryFrames }, project.id, document.mainCompositionId)
  } finally {
    await server.dispose()
  }
}

async function sampleMemory(options: { lattice: LatticeClient; serverPid: number; workDir: string; memoryFrames: number }, projectId: string, compositionId: string): Promise<MemoryResult> {
  const samples: { at: number; server: number; browser: number }[] = []
  let sampling = true
  let running = false
  const sampler = (async () => {
    while (sampling) {
      if (running) samples.push({ at: Date.now(), server: residentMb(options.serverPid), browser: treeResidentMb(options.serverPid, true) })
      await new Promise((r) => setTimeout(r, 250))
    }
  })()
  const result = await timedExport(options.lattice, projectId, compositionId, { start: 0, end: options.memoryFrames }, 'quarter', options.workDir, () => { running = true })
  sampling = false
  await sampler
  const first = samples[0]?.at ?? 0
  const last = samples.at(-1)?.at ?? 0
  const span = Math.max(1, last - first)
  const quarter = (which: 'first' | 'last', key: 'server' | 'browser') => Math.max(0, ...samples.filter((s) => (which === 'first' ? s.at - first <= span / 4 : last - s.at <= span / 4)).map((s) => s[key]))
  const peak = (key: 'server' | 'browser') => Math.max(0, ...samples.map((s) => s[key]))
  await rm(result.path, { force: true })
  return {
    frames: options.memoryFrames, width: 480, height: 270, seconds: round(result.seconds),
    server: { firstQuarter: quarter('first', 'server'), lastQuarter: quarter('last', 'server'), peak: peak('server') },
    browser: { firstQuarter: quarter('first', 'browser'), lastQuarter: quarter('last', 'browser'), peak: peak('browser') },
  }
}

function residentMb(pid: number): number {
  try {
    const status = execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' })
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024)
  } catch {
    return 0
  }
}

/** Resident MB of the process's descendants (Chromium and its helpers; not ffmpeg when `browserOnly`). */
function treeResidentMb(root: number, browserOnly: boolean): number {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,comm='], { encoding: 'utf8' }).trim().split('\n').map((line) => line.trim().split(/\s+/))
  const children = new Map<number, { pid: number; rss: number; comm: string }[]>()
  for (const [pid, ppid, rss, comm] of table) {
    const list = children.get(Number(ppid)) ?? []
    list.push({ pid: Number(pid), rss: Number(rss), comm: comm ?? '' })
    children.set(Number(ppid), list)
  }
  let kb = 0
  const walk = (pid: number, inside: boolean) => {
    for (const child of children.get(pid) ?? []) {
      const counted = inside || !browserOnly || /chrom/i.test(child.comm)
      if (counted) kb += child.rss
      walk(child.pid, counted)
    }
  }
  walk(root, false)
  return Math.round(kb / 1024)
}
