/**
 * `npm run bench`: Lattice's server against floors measured in the same run on the same machine.
 * Each number is printed beside its floor and a cost ratio (how many times the floor's time), so
 * results compare across machines and runs; nothing here asserts a timing.
 *
 *   npm run bench                           all of them, a few minutes on 2 cores
 *   npm run bench -- --only=latency,upload  some of them (latency, autosave, throughput, upload, render, export, generations, ai, startup)
 *   npm run bench -- --build                rebuild .output first (else built only when missing)
 *   npm run bench -- --postgres[=URL]       also run the latency and generations benches on PostgreSQL, in a database
 *                                           created and dropped on that server (default: local, user postgres)
 *
 * Writes bench/results/latest.json too.
 */
import { spawnSync } from 'node:child_process'
import { cpus, loadavg, tmpdir } from 'node:os'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createLatticeClient } from '../client'
import { buildLargeDocument } from './document'
import { measureLatency, type LatencyResult } from './latency'
import { measureAutosave, type AutosaveResult } from './autosave'
import { ensureBuild, REPO_ROOT, startFloorServer } from './servers'
import { formatBytes, formatMs, formatRate, round } from './stats'
import { measureThroughput, type ThroughputResult } from './throughput'
import { measureUpload, type UploadResult } from './upload'
import { measureRender, type RenderBenchResult } from './render'
import { measureExport, type ExportBenchResult } from './export'
import { measureGenerations, type GenerationsResult } from './generations'
import { measureStartup, startupTable, type StartupResult } from './startup'
import { createBenchDatabase, DEFAULT_POSTGRES_ADMIN_URL } from './postgres'
import { measureAi, type AiBenchResult } from './ai'

const SETTINGS = {
  documentBytes: 5 * 1024 * 1024,
  latencyIterations: 24,
  latencyWarmup: 2,
  autosaveSaves: 4,
  concurrency: 16,
  throughputSeconds: 5,
  throughputWarmupSeconds: 1,
  uploadBytes: 200 * 1024 * 1024,
  uploadRounds: 3,
  generationSamples: 30,
  generationThroughputCount: 60,
  generationServers: 4,
  exportFrames: 120,
  exportMemoryFrames: 1000,
  startupRounds: 3,
  startupSettleMs: 5000,
}

const ALL = ['latency', 'autosave', 'throughput', 'upload', 'render', 'export', 'generations', 'ai', 'startup'] as const
type Bench = (typeof ALL)[number]
const args = process.argv.slice(2)
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length)
const selected = new Set<Bench>(onlyArg ? onlyArg.split(',').map((s) => s.trim() as Bench) : ALL)
for (const name of selected) if (!ALL.includes(name)) throw new Error(`Unknown benchmark "${name}"; choose from ${ALL.join(', ')}.`)
const postgresArg = args.find((a) => a === '--postgres' || a.startsWith('--postgres='))
const postgresAdminUrl = postgresArg ? postgresArg.slice('--postgres='.length) || DEFAULT_POSTGRES_ADMIN_URL : null
const unknown = args.filter((a) => a !== '--build' && !a.startsWith('--only=') && a !== postgresArg)
if (unknown.length > 0) throw new Error(`Unknown option ${unknown.join(' ')}; see bench/run.ts for the options.`)

process.chdir(REPO_ROOT)
const git = (...gitArgs: string[]) => spawnSync('git', gitArgs, { cwd: REPO_ROOT, encoding: 'utf8' }).stdout?.trim() ?? ''
const started = Date.now()
const commit = git('rev-parse', 'HEAD') || null
const uncommittedChanges = Boolean(git('status', '--porcelain'))
// Other work on the machine moves every number; the ratios less so.
const loadAtStart = loadavg().map((l) => round(l, 2))
const build = ensureBuild(args.includes('--build'))
// The e2e harness: the built server as a process, fresh embedded database, admin + API token.
const { startServer, BOOTSTRAP_TOKEN } = await import('../tests/e2e/server')

const cpu = cpus()
console.log(`Lattice bench: Node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'} (load ${loadAtStart.join(' ')}), commit ${commit?.slice(0, 7) ?? 'unknown'}${uncommittedChanges ? ' (+ uncommitted changes)' : ''}`)
console.log(`Server build: .output from ${build.builtAt}${build.rebuilt ? ' (built now)' : ''}`)
if (build.stale) console.log('WARNING: sources changed after this build; the numbers are for the older build. Run with --build to rebuild.')

// First, while no other server of this run is up to share the CPU with its start.
let startup: StartupResult | undefined
if (selected.has('startup')) {
  console.log(`\nstartup: the built server and its floors on new and reused data, ${SETTINGS.startupRounds} rounds…`)
  startup = await measureStartup({ rounds: SETTINGS.startupRounds, settleMs: SETTINGS.startupSettleMs })
}

const server = await startServer()
const workDir = await mkdtemp(join(tmpdir(), 'lattice-bench-'))
const lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
const healthBody = await (await fetch(`${server.url}/api/trpc/system.health`)).text()
const floor = await startFloorServer({ BENCH_HEALTH_BODY: healthBody })

let latency: LatencyResult | undefined
let latencyPostgres: LatencyResult | undefined
let generationsPostgres: GenerationsResult | undefined
let autosave: AutosaveResult | undefined
let throughput: ThroughputResult | undefined
let upload: UploadResult | undefined
let render: RenderBenchResult | undefined
let exported: ExportBenchResult | undefined
let generations: GenerationsResult | undefined
let ai: AiBenchResult | undefined
/** With --postgres: `measure` again on a built server using a fresh database on that PostgreSQL server. */
async function onPostgres<T>(name: string, measure: (target: { url: string }) => Promise<T>): Promise<T | undefined> {
  if (!postgresAdminUrl) return undefined
  console.log(`${name}: the same on PostgreSQL (a fresh database on the server)…`)
  const database = await createBenchDatabase(postgresAdminUrl)
  const target = await startServer({ env: { DATABASE_URL: database.url } })
  try {
    return await measure(target)
  } finally {
    await target.dispose()
    await database.drop()
  }
}

try {
  if (selected.has('latency')) {
    const doc = buildLargeDocument(SETTINGS.documentBytes)
    const measure = (target: { url: string }) => measureLatency({
      lattice: createLatticeClient({ url: target.url, token: BOOTSTRAP_TOKEN }), latticeUrl: target.url, token: BOOTSTRAP_TOKEN, floorUrl: floor.url,
      document: doc.document, documentBytes: doc.bytes, iterations: SETTINGS.latencyIterations, warmup: SETTINGS.latencyWarmup,
    })
    console.log(`\nlatency: a ${formatBytes(doc.bytes)} document of ${doc.layers} layers, ${SETTINGS.latencyIterations} rounds (PGlite)…`)
    latency = await measure(server)
    latencyPostgres = await onPostgres('latency', measure)
  }
  if (selected.has('autosave')) {
    const doc = buildLargeDocument(SETTINGS.documentBytes)
    console.log(`autosave: the editor in headless Chromium on a ${formatBytes(doc.bytes)} document, ${SETTINGS.autosaveSaves + 1} edits (slow: the page redraws 700 layers' timeline after each)…`)
    autosave = await measureAutosave({ lattice, latticeUrl: server.url, document: doc.document, saves: SETTINGS.autosaveSaves })
  }
  if (selected.has('throughput')) {
    console.log(`throughput: ${SETTINGS.concurrency} keep-alive connections, ${SETTINGS.throughputSeconds} s each side…`)
    throughput = await measureThroughput({ latticeUrl: server.url, floorUrl: floor.url, concurrency: SETTINGS.concurrency, seconds: SETTINGS.throughputSeconds, warmupSeconds: SETTINGS.throughputWarmupSeconds })
  }
  if (selected.has('render')) {
    console.log('render: 1920×1080 frames in headless Chromium…')
    render = await measureRender(server.url)
  }
  if (selected.has('export')) {
    console.log(`export: 1920×1080, 20 layers, ${SETTINGS.exportFrames} frames to H.264 beside the render and encode floors, then memory over ${SETTINGS.exportMemoryFrames} frames (several minutes on 2 cores)…`)
    exported = await measureExport({ lattice, serverUrl: server.url, serverPid: server.pid, workDir, frames: SETTINGS.exportFrames, memoryFrames: SETTINGS.exportMemoryFrames })
  }
  if (selected.has('upload')) {
    console.log(`upload: ${formatBytes(SETTINGS.uploadBytes)}, ${SETTINGS.uploadRounds} rounds…`)
    upload = await measureUpload({ lattice, workDir, bytes: SETTINGS.uploadBytes, rounds: SETTINGS.uploadRounds })
  }
  if (selected.has('generations')) {
    console.log(`generations: ${SETTINGS.generationSamples} one at a time, then ${SETTINGS.generationThroughputCount} at once over ${SETTINGS.generationServers} ComfyUI stand-ins…`)
    const measure = (target: { url: string }) => measureGenerations({ lattice: createLatticeClient({ url: target.url, token: BOOTSTRAP_TOKEN }), samples: SETTINGS.generationSamples, throughputCount: SETTINGS.generationThroughputCount, servers: SETTINGS.generationServers })
    generations = await measure(server)
    generationsPostgres = await onPostgres('generations', measure)
  }
  if (selected.has('ai')) {
    console.log('ai: a 1024×1024 matte with the real ISNet model beside a bare session.run, segmentation clicks on a cached embedding, memory loaded and after idle unload (its own server)…')
    ai = await measureAi({ startServer, token: BOOTSTRAP_TOKEN })
  }
} finally {
  await floor.stop()
  await server.dispose()
  await rm(workDir, { recursive: true, force: true })
}

// ---- report ----
const rows: [string, string, string, string][] = []
const cost = (value: number) => `${value.toFixed(value >= 10 ? 1 : 2)}×`
const latencyRows = (result: LatencyResult, database: string) => {
  const { get, save } = result
  rows.push([`projects.get  p50 (${formatBytes(result.getResponseBytes)} down, ${database})`, formatMs(get.lattice.p50), formatMs(get.floor.p50), cost(get.lattice.p50 / get.floor.p50)])
  rows.push([`projects.get  p99 (n=${get.lattice.n}${get.lattice.n < 100 ? ': the max' : ''}, ${database})`, formatMs(get.lattice.p99), formatMs(get.floor.p99), cost(get.lattice.p99 / get.floor.p99)])
  rows.push([`projects.save p50 (${formatBytes(result.saveRequestBytes)} up, ${database})`, formatMs(save.lattice.p50), formatMs(save.floor.p50), cost(save.lattice.p50 / save.floor.p50)])
  rows.push([`projects.save p99 (n=${save.lattice.n}${save.lattice.n < 100 ? ': the max' : ''}, ${database})`, formatMs(save.lattice.p99), formatMs(save.floor.p99), cost(save.lattice.p99 / save.floor.p99)])
}
if (latency) latencyRows(latency, 'PGlite')
if (latencyPostgres) latencyRows(latencyPostgres, 'PostgreSQL')
if (autosave) {
  rows.push([`editor autosave ${formatBytes(SETTINGS.documentBytes)}, main thread per save (n=${autosave.laterSaves})`, formatMs(autosave.laterSaveMs), formatMs(autosave.pageStringifyMs), cost(autosave.laterSaveMs / autosave.pageStringifyMs)])
  rows.push(['editor autosave, first save after opening', formatMs(autosave.firstSaveMs), formatMs(autosave.pageStringifyMs), cost(autosave.firstSaveMs / autosave.pageStringifyMs)])
}
if (throughput) {
  const { lattice: l, nitro: n, floor: f } = throughput
  rows.push([`system.health vs bare Nitro route (c=${throughput.concurrency})`, formatRate(l.perSecond, 'req/s'), formatRate(n.perSecond, 'req/s'), cost(n.perSecond / l.perSecond)])
  rows.push([`system.health vs bare node:http (c=${throughput.concurrency})`, formatRate(l.perSecond, 'req/s'), formatRate(f.perSecond, 'req/s'), cost(f.perSecond / l.perSecond)])
}
if (render) {
  const ms = (value: number) => `${value.toFixed(0)} ms`
  rows.push([`renderFrame 1920×1080, 20 layers vs empty`, ms(render.twentyLayers.frameMs), ms(render.empty.frameMs), cost(render.ratio)])
}
if (exported) {
  const fps = (value: number) => `${value.toFixed(2)} fps`
  const met = exported.ratio >= 0.85 ? 'met' : 'NOT met'
  const floorFps = Math.min(exported.renderFloorFps, exported.encodeFloorFps)
  const slower = exported.renderFloorFps <= exported.encodeFloorFps ? 'render' : 'encode'
  rows.push([`export ${exported.width}×${exported.height} 20 layers → H.264 vs slower floor (${slower}; target ≥ 0.85×: ${met}, ${exported.ratio}×)`, fps(exported.exportFps), fps(floorFps), cost(floorFps / exported.exportFps)])
  rows.push(['  render floor: renderFrame + readPixels, same browser', fps(exported.renderFloorFps), '', ''])
  rows.push(['  encode floor: ffmpeg -f rawvideo, same frames and arguments', fps(exported.encodeFloorFps), '', ''])
  const m = exported.memory
  rows.push([`export memory, ${m.frames} frames ${m.width}×${m.height}: server RSS first / last quarter, peak`, `${m.server.firstQuarter} / ${m.server.lastQuarter} MB`, `${m.server.peak} MB`, ''])
  rows.push([`  its Chromium RSS first / last quarter, peak`, `${m.browser.firstQuarter} / ${m.browser.lastQuarter} MB`, `${m.browser.peak} MB`, ''])
}
if (upload) {
  rows.push([`upload ${formatBytes(upload.bytes)} (median of ${upload.rounds})`, formatRate(upload.lattice.mbPerSecond, 'MB/s'), formatRate(upload.floor.mbPerSecond, 'MB/s'), cost(upload.lattice.seconds / upload.floor.seconds)])
}
// The targets the job model was built to (server/jobs/README.md): dispatch p50 ≤ 10 ms and p99 ≤ 50 ms,
// completion p50 ≤ 15 ms, throughput ≥ 0.5× the bare script's.
const generationRows = (g: GenerationsResult, database: string) => {
  const pair = (a: { p50: number; p99: number }) => `${formatMs(a.p50)} / ${formatMs(a.p99)}`
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met')
  rows.push([`generation dispatch p50 / p99 (n=${g.samples}, ${database}; target ≤ 10 / 50 ms: ${met(g.dispatch.p50 <= 10 && g.dispatch.p99 <= 50)})`, pair(g.dispatch), pair(g.floor.dispatch), cost(g.dispatch.p50 / g.floor.dispatch.p50)])
  rows.push([`generation completion p50 / p99 (n=${g.samples}, ${database}; target p50 ≤ 15 ms: ${met(g.completion.p50 <= 15)})`, pair(g.completion), pair(g.floor.completion), cost(g.completion.p50 / g.floor.completion.p50)])
  rows.push([`generations/s, ${g.throughput.generations} over ${g.servers} stand-ins (${database}; target ≥ 0.5× floor: ${met(g.throughput.perSecond >= 0.5 * g.floor.perSecond)})`, formatRate(g.throughput.perSecond, 'gen/s'), formatRate(g.floor.perSecond, 'gen/s'), cost(g.floor.perSecond / g.throughput.perSecond)])
}
if (ai) {
  const met = ai.matte.ratio <= 1.15 ? 'met' : 'NOT met'
  rows.push([`ai.matte 1024² end to end (ISNet, median of ${ai.matte.samples}) vs bare session.run (target ≤ 1.15×: ${met})`, formatMs(ai.matte.latticeMs), formatMs(ai.matte.bareMs), cost(ai.matte.ratio)])
  rows.push([`ai.segment further click p50 (n=${ai.segment.clicks}, cached embedding; stand-in decoder) vs its bare session.run`, formatMs(ai.segment.p50), formatMs(ai.segment.bareP50), cost(ai.segment.p50 / ai.segment.bareP50)])
  rows.push([`ai.segment further click p99`, formatMs(ai.segment.p99), formatMs(ai.segment.bareP99), cost(ai.segment.p99 / ai.segment.bareP99)])
  const m = ai.memory
  rows.push([`ai memory: server RSS before / with depth+matte+segment loaded, peak`, `${m.beforeMb} / ${m.loadedMb} MB`, `${m.peakMb} MB`, ''])
  rows.push([`  after ${m.idleSeconds} s idle (unloaded; still loaded: ${m.stillLoaded.join(', ') || 'none'})`, `${m.afterIdleMb} MB`, '', ''])
}
if (generations) generationRows(generations, 'PGlite')
if (generationsPostgres) generationRows(generationsPostgres, 'PostgreSQL')
if (startup) console.log(`\n${startupTable(startup).join('\n')}`)
const header: [string, string, string, string] = ['benchmark', 'lattice', 'floor', 'cost']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ')
// --only=startup has its own table above and nothing for this one.
if (rows.length > 0) {
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('   ')}`)
  for (const row of rows) console.log(line(row))
  console.log('\ncost = time per request (or per byte) divided by the floor\'s; 1.00× is as fast as the floor.')
  console.log('floors: latency = bare node:http round-trip of the same bytes (fetch, no JSON parsing);')
  console.log('        throughput = GET /api/livez, a bare Nitro route in the same server, and node:http answering the same health JSON (own process); same load generator;')
  console.log('        upload = node:fs stream copy of the same file on the same disk;')
  console.log('        render = the same renderer drawing an empty composition (renderFrame + readPixels, median);')
  console.log('        autosave = JSON.stringify of the same document in the same page (what serialising it whole would block).')
}
if (latency) {
  const p = latency.inProcess
  console.log(`in this process, for the same document: JSON.stringify ${formatMs(p.jsonStringifyMs)}, JSON.parse ${formatMs(p.jsonParseMs)}, parseDocument (zod) ${formatMs(p.parseDocumentMs)}, wire serialize ${formatMs(p.wireSerializeMs)}, wire deserialize ${formatMs(p.wireDeserializeMs)}`)
}
if (autosave) console.log('autosave: main thread = validating and serialising at save time, as the editor store measures it; the request itself is asynchronous.')
if (throughput && (throughput.lattice.errors > 0 || throughput.nitro.errors > 0 || throughput.floor.errors > 0)) {
  console.log(`throughput errors (non-200 or failed): lattice ${throughput.lattice.errors}, nitro ${throughput.nitro.errors}, floor ${throughput.floor.errors}`)
}
if (generations) {
  console.log('generations: dispatch = create → prompt queued on the stand-in; completion = the stand-in\'s final executing → succeeded on the watch stream (history, download, asset ingest).')
  console.log('        floor = a bare script sending the prompt Lattice sent to the same stand-ins (POST /prompt → queued; executing null → /history read and /view outputs on disk); cost compares p50s.')
  if (generations.throughput.failed > 0) console.log(`generations: ${generations.throughput.failed} of the throughput run did not succeed`)
}
if (upload) {
  console.log(`upload: server receives, SHA-256 hashes and writes; SHA-256 alone here: ${formatRate(upload.sha256MbPerSecond, 'MB/s')}. Processing jobs after upload: ${upload.processingSeconds.map((s) => `${s.toFixed(1)} s`).join(', ') || 'none'} (not timed).`)
}
const elapsed = (Date.now() - started) / 1000
console.log(`\ntotal ${elapsed.toFixed(0)} s`)

function withRatios(result: LatencyResult) {
  const { get, save } = result
  return {
    ...result,
    ratios: {
      getP50: round(get.lattice.p50 / get.floor.p50), getP99: round(get.lattice.p99 / get.floor.p99),
      saveP50: round(save.lattice.p50 / save.floor.p50), saveP99: round(save.lattice.p99 / save.floor.p99),
    },
  }
}
const results = {
  date: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  cpus: cpu.length,
  cpuModel: cpu[0]?.model.trim() ?? null,
  loadAverageAtStart: loadAtStart,
  commit,
  uncommittedChanges,
  build,
  settings: SETTINGS,
  elapsedSeconds: round(elapsed, 1),
  latency: latency && withRatios(latency),
  latencyPostgres: latencyPostgres && withRatios(latencyPostgres),
  throughput: throughput && { ...throughput, ratio: round(throughput.floor.perSecond / throughput.lattice.perSecond) },
  upload: upload && { ...upload, ratio: round(upload.lattice.seconds / upload.floor.seconds) },
  render,
  export: exported,
  generations,
  generationsPostgres,
  ai,
  startup,
  autosave: autosave && { ...autosave, ratio: round(autosave.laterSaveMs / autosave.pageStringifyMs) },
}
await mkdir(join(REPO_ROOT, 'bench/results'), { recursive: true })
await writeFile(join(REPO_ROOT, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`)
console.log('wrote bench/results/latest.json')
