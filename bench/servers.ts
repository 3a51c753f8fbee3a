/** The processes the benchmarks talk to: the built Lattice server and the floor server. */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url))
const ENTRY = join(REPO_ROOT, '.output/server/index.mjs')
// What `nuxt build` reads (as scripts/start.mjs decides when to rebuild).
const SOURCES = ['server', 'shared', 'pages', 'components', 'stores', 'layouts', 'middleware', 'plugins', 'composables', 'assets', 'public', 'prisma', 'app.vue', 'nuxt.config.ts', 'package.json']

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0
  const info = statSync(path)
  if (!info.isDirectory()) return info.mtimeMs
  let newest = 0
  for (const entry of readdirSync(path)) {
    if (entry === 'generated' || entry === 'node_modules') continue
    newest = Math.max(newest, newestMtime(join(path, entry)))
  }
  return newest
}

export interface BuildInfo {
  builtAt: string
  /** Sources changed after the build: the numbers are for the older code. */
  stale: boolean
  rebuilt: boolean
}

/** Builds `.output` when it is missing (or when asked); reports whether it is older than the sources. */
export function ensureBuild(force: boolean): BuildInfo {
  let rebuilt = false
  if (force || !existsSync(ENTRY)) {
    console.log(force ? 'Building the app (--build)…' : 'No server build (.output): building the app first…')
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/nuxt/bin/nuxt.mjs'), 'build'], { cwd: REPO_ROOT, stdio: 'inherit' })
    if (result.status !== 0) throw new Error(`nuxt build failed (exit ${result.status})`)
    rebuilt = true
  }
  const built = statSync(ENTRY).mtimeMs
  const stale = Math.max(...SOURCES.map((s) => newestMtime(join(REPO_ROOT, s)))) > built
  return { builtAt: new Date(built).toISOString(), stale, rebuilt }
}

export interface FloorServer {
  url: string
  stop(): Promise<void>
}

/** Starts bench/floor-server.ts as its own Node process. */
export async function startFloorServer(env: Record<string, string> = {}): Promise<FloorServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench/floor-server.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const port = await new Promise<number>((resolvePort, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`The floor server did not start: ${output}`)), 30_000)
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk
      const match = /FLOOR_PORT=(\d+)/.exec(output)
      if (match) { clearTimeout(timer); resolvePort(Number(match[1])) }
    })
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`The floor server exited (${code}): ${output}`)) })
  })
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
