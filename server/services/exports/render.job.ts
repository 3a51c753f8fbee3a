import { mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { Database } from '../../db/connect'
import type { ExportBrowser } from '../../export/browser'
import type { FrameBridge } from '../../export/bridge'
import { writeZip } from '../../export/zip'
import type { JobContext, JobDefinition } from '../../jobs/types'
import type { DataLayout } from '../../storage/paths'
import type { AssetService } from '../assets/assets.service'
import { exportSettingsSchema, type ExportFile } from '../../../shared/export/options'
import { parseDocument } from '../../../shared/project'
import type { HeadlessApi } from '../../../renderer/headless'
import { checkDiskSpace, checkFfmpeg } from './preflight'
import { FrameOrder } from './frame-order'
import { audioClips, type SoundSource } from './audio-clips'
import { openWriters, type OutputWriter } from './output-writers'
import { fileName, planExport, type ExportPlan } from './plan'
import { writeBundle, type TemplateSource } from './bundle'
import { startGeneration, type GenerationStarter } from './generate-after'
import { ProgressMeter } from './progress-meter'

/** The export is the row with the job's id; these are kept on the job for listings. */
export interface ExportJobInput { frames: number; width: number; height: number }

export interface RenderJobDeps {
  db: Database
  /** ComfyUI templates, for conditioning bundles; absent where generations are not set up. */
  templates?: TemplateSource
  /** Starts a generation (Export and generate); absent where generations are not set up. */
  generate?: GenerationStarter
  assets: AssetService
  layout: DataLayout
  browser: ExportBrowser
  bridge: FrameBridge
  /** Where this server's own /render page is reached from its Chromium. */
  appUrl: () => string
  concurrency: number
}

/** Frames sampled (at a quarter of the size) to find the depth range an export's depth is normalised to. */
const DEPTH_SAMPLES = 24

/**
 * `export.render`: renders a composition in this server's headless Chromium with the editor's
 * own renderer, streams the frames to ffmpeg, and stores every output as an asset of the owner.
 * A run that fails, is cancelled or is handed over leaves no files behind; the next run starts
 * from frame one.
 */
export function exportRenderJob(deps: RenderJobDeps): JobDefinition<ExportJobInput> {
  return {
    kind: 'export.render',
    retryLimit: 2,
    retryDelaySeconds: 5,
    // Liveness hands a dead instance's export over within seconds; the lease only bounds a stuck one.
    expireInSeconds: 6 * 3600,
    concurrency: deps.concurrency,
    run: (context) => renderExport(deps, context),
  }
}

async function renderExport(deps: RenderJobDeps, context: JobContext<ExportJobInput>): Promise<Record<string, unknown>> {
  const { db, layout } = deps
  const row = await db.prisma.export.findUnique({ where: { id: context.jobId }, include: { project: { select: { name: true } } } })
  if (!row) return { skipped: 'removed' }
  const { document } = parseDocument(JSON.parse(row.document))
  const settings = exportSettingsSchema.parse(row.settings)
  const plan = planExport(document, settings, row.project.name)
  await checkFfmpeg()
  await checkDiskSpace(layout.root, plan.estimatedBytes)

  const tmp = layout.tmpDir()
  await removeEarlierRuns(tmp, row.id)
  const directory = join(tmp, `export-${row.id}-${context.runId}`)
  await mkdir(directory, { recursive: true })
  let page: Page | null = null
  let writers: OutputWriter[] = []
  /** Assets this run made (not matched to content stored before): removed again if it does not finish. */
  const made: string[] = []
  const stop = () => { page?.close().catch(() => {}) }
  context.signal.addEventListener('abort', stop, { once: true })
  try {
    await context.progress(0, { stage: 'starting', step: 0, max: plan.frames })
    page = await openRenderPage(deps)
    await context.log(`Rendering ${plan.frames} frames at ${plan.width}×${plan.height} with ${await rendererName(page)}.`)

    let order: FrameOrder | null = null
    const session = await deps.bridge.open({
      document: row.document,
      maxFrameBytes: plan.width * plan.height * 4,
      assetFile: async (assetId) => {
        const file = await deps.assets.file(row.ownerId, assetId).catch(() => null)
        return file && { path: file.path, mime: file.mime }
      },
      takeFrame: (frame, key, bytes) => order ? order.take(frame, key, bytes) : Promise.reject(new Error('frames arrived before the encoders were ready')),
    })
    try {
      const depthRange = plan.needsDepthRange ? await measureDepthRange(page, session.url, plan) : null
      if (plan.needsDepthRange) await context.log(depthRange ? `Depth range over the export: ${depthRange[0].toFixed(1)}–${depthRange[1].toFixed(1)} px from the camera.` : 'Nothing in this composition is 3D: the depth pass is empty.')
      const sound = plan.outputs.some((o) => o.output.kind === 'video' && o.output.pass.type === 'color')
        ? await audioClips(document.compositions[plan.compositionId]!, plan, (assetId) => soundOf(deps, row.ownerId, assetId))
        : { clips: [], skipped: [] }
      if (sound.skipped.length > 0) await context.log(`Sound left out of the video: ${sound.skipped.join(', ')}.`, 'warn')
      writers = await openWriters(plan, document, { directory, depthRange, audio: sound.clips, signal: context.signal })
      const bySource = new Map<string, OutputWriter[]>()
      for (const writer of writers) {
        if (writer.planned.source) bySource.set(writer.planned.source, [...(bySource.get(writer.planned.source) ?? []), writer])
      }
      const meter = new ProgressMeter(plan.frames, plan.passes.length, (done, detail) => context.progress(0.95 * done, { stage: 'rendering', ...detail }))
      order = new FrameOrder(plan.start, async (_frame, key, bytes) => {
        await Promise.all((bySource.get(key) ?? []).map((writer) => writer.take(bytes)))
        await meter.tick()
      })
      const spent = await page.evaluate((request) => (window as unknown as { lattice: HeadlessApi }).lattice.exportFrames(request), {
        bridge: session.url, compositionId: plan.compositionId, start: plan.start, end: plan.end, width: plan.width, height: plan.height, passes: plan.passes,
      })
      const perFrame = (ms: number) => Math.round(ms / Math.max(1, spent.frames))
      await context.log(`Per frame: ${perFrame(spent.renderMs + spent.readMs)} ms drawing (${perFrame(spent.readMs)} of it reading the pixels back), ${perFrame(spent.waitMs)} ms waiting for the encoders.`)
    } finally {
      session.close()
    }
    await context.progress(0.95, { stage: 'encoding', step: plan.frames, max: plan.frames })
    const finished = await Promise.all(writers.map(async (writer) => ({ writer, ...(await writer.finish()) })))
    writers = []
    await context.progress(0.97, { stage: 'storing', step: plan.frames, max: plan.frames })
    // Before the outputs are stored: storing moves their files away.
    const bundle = settings.bundle && deps.templates
      ? await writeBundle({
        template: await deps.templates.get(row.ownerId, settings.bundle.templateId),
        bundle: settings.bundle, outputs: settings.outputs, files: finished.map((f) => f.files), directory,
        baseName: fileName(settings.name, { project: row.project.name, composition: document.compositions[plan.compositionId]!.name, pass: 'bundle', format: 'zip' }),
        signal: context.signal,
      })
      : null
    const files = await storeOutputs(deps, row.ownerId, directory, finished, context.signal, made)
    if (bundle) {
      const { asset, deduplicated } = await deps.assets.adoptMade(row.ownerId, bundle.path, bundle.name, { mime: 'application/zip' })
      if (!deduplicated) made.push(asset.id)
      files.push({ assetId: asset.id, name: asset.name, mime: asset.mime, size: asset.size, output: null, entries: bundle.entries })
    }
    const generated = settings.generate && deps.generate && deps.templates
      ? await startGeneration({ deps: { templates: deps.templates, generate: deps.generate, assets: deps.assets }, ownerId: row.ownerId, use: settings.generate, outputs: settings.outputs, finished: finished.map((f) => f.files), stored: files, log: (m) => context.log(m, 'warn') })
      : null
    return { files, outputs: [...new Set(files.map((file) => file.assetId))], ...(generated ? { generationId: generated.id } : {}) }
  } catch (error) {
    await Promise.all(writers.map((writer) => writer.abort().catch(() => {})))
    // Cancelled or failed while storing: nothing of a half-stored export stays in the library.
    for (const id of made) await deps.assets.delete(row.ownerId, id).catch(() => {})
    // A closed page is how a cancel or a hand-over stops the render: report that, not the page's error.
    if (context.signal.aborted) throw context.signal.reason
    throw error
  } finally {
    context.signal.removeEventListener('abort', stop)
    await page?.close().catch(() => {})
    await rm(directory, { recursive: true, force: true })
  }
}

/** A page of this server's /render route in the shared browser, its renderer ready. */
async function openRenderPage(deps: RenderJobDeps): Promise<Page> {
  const page = await deps.browser.newPage()
  try {
    await page.goto(`${deps.appUrl()}/render`, { timeout: 60_000 })
    await page.waitForFunction(() => (window as unknown as { lattice?: HeadlessApi }).lattice?.ready === true, undefined, { timeout: 60_000 })
    return page
  } catch (error) {
    await page.close().catch(() => {})
    throw new Error(`The export page did not load from ${deps.appUrl()}/render (${(error as Error).message.split('\n')[0]}). If the server is reached under another address from this machine, set LATTICE_INTERNAL_URL.`)
  }
}

/** The WebGL renderer's name: SwiftShader (software) or the GPU's, for the job's log. */
async function rendererName(page: Page): Promise<string> {
  const name = await page.evaluate(() => {
    const gl = document.createElement('canvas').getContext('webgl2')
    const info = gl?.getExtension('WEBGL_debug_renderer_info')
    return gl && info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown'
  }).catch(() => 'unknown')
  return /swiftshader/i.test(name) ? `software rendering (SwiftShader, no GPU)` : `the GPU (${name})`
}

/** Nearest and farthest depth over frames spread across the range, so depth levels hold still between frames. */
async function measureDepthRange(page: Page, bridge: string, plan: ExportPlan): Promise<[number, number] | null> {
  const count = Math.min(DEPTH_SAMPLES, plan.frames)
  const frames = Array.from({ length: count }, (_, i) => plan.start + Math.floor((i * (plan.frames - 1)) / Math.max(1, count - 1)))
  return page.evaluate((request) => (window as unknown as { lattice: HeadlessApi }).lattice.measureDepth(request), {
    bridge, compositionId: plan.compositionId, frames: [...new Set(frames)], width: Math.max(16, Math.round(plan.width / 4)), height: Math.max(16, Math.round(plan.height / 4)),
  })
}

interface Finished { writer: OutputWriter; files: string[]; mime: string }

/** Each output becomes one asset: a video or a camera file as it is, a sequence as one zip of its frames. */
async function storeOutputs(deps: RenderJobDeps, ownerId: string, directory: string, finished: Finished[], signal: AbortSignal, made: string[]): Promise<ExportFile[]> {
  const stored: ExportFile[] = []
  for (const { writer, files, mime } of finished) {
    const { planned } = writer
    if (signal.aborted) throw signal.reason
    if (planned.output.kind === 'sequence') {
      const zipPath = join(directory, `${planned.baseName}.zip`)
      const entries = files.map((path) => ({ name: path.slice(path.lastIndexOf('/') + 1), path }))
      const { size } = await writeZip(entries, zipPath, signal)
      const { asset, deduplicated } = await deps.assets.adoptMade(ownerId, zipPath, `${planned.baseName}.zip`, { mime: 'application/zip' })
      if (!deduplicated) made.push(asset.id)
      stored.push({ assetId: asset.id, name: asset.name, mime: 'application/zip', size, output: planned.index, entries: entries.map((e) => e.name) })
      continue
    }
    const path = files[0]!
    const name = path.slice(path.lastIndexOf('/') + 1)
    const declared = planned.output.kind === 'camera' ? { mime } : undefined
    const { asset, deduplicated } = await deps.assets.adoptMade(ownerId, path, name, declared)
    if (!deduplicated) made.push(asset.id)
    stored.push({ assetId: asset.id, name: asset.name, mime: asset.mime, size: asset.size, output: planned.index })
  }
  return stored
}

/** Work folders of this export's earlier runs (a crashed or handed-over instance's) go first. */
async function removeEarlierRuns(tmp: string, exportId: string): Promise<void> {
  const names = await readdir(tmp).catch(() => [] as string[])
  await Promise.all(names.filter((name) => name.startsWith(`export-${exportId}-`)).map((name) => rm(join(tmp, name), { recursive: true, force: true })))
}

/** An audio or video asset's file and whether it has a sound track. */
async function soundOf(deps: RenderJobDeps, ownerId: string, assetId: string): Promise<SoundSource | null> {
  const asset = await deps.assets.get(ownerId, assetId).catch(() => null)
  if (!asset || asset.status !== 'ready' || (asset.kind !== 'audio' && asset.kind !== 'video')) return null
  const metadata = asset.metadata as { durationSeconds?: number; hasAudio?: boolean }
  const file = await deps.assets.file(ownerId, assetId)
  return { path: file.path, durationSeconds: metadata.durationSeconds ?? 0, hasAudio: asset.kind === 'audio' || metadata.hasAudio === true }
}
