import { execFile, spawn } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { promisify } from 'node:util'

/** The sub-path the proxy test serves Lattice under, as users build it (README). */
export const BASE_PATH = '/lattice/'
/** Beside `.output`, so the usual build and this one never overwrite each other. */
export const SUBPATH_OUTPUT = '.output-subpath'
export const SUBPATH_BUILD_ENV = { NUXT_APP_BASE_URL: BASE_PATH, NITRO_OUTPUT_DIR: SUBPATH_OUTPUT, NUXT_BUILD_DIR: '.nuxt-subpath' }

const BUILD_INFO = resolve(SUBPATH_OUTPUT, 'nitro.json')
const RUNTIME_CONFIG = resolve(SUBPATH_OUTPUT, 'server/chunks/nitro/nitro.mjs')

/**
 * The server entry of an app built for BASE_PATH: the existing build when no source file changed
 * since it was made (so it is built once per change, whoever asks), else a new one (~1-2 min).
 */
export async function ensureSubpathBuild(): Promise<string> {
  const reason = await staleBecause()
  if (reason) await build(reason)
  return resolve(SUBPATH_OUTPUT, 'server/index.mjs')
}

async function staleBecause(): Promise<string | null> {
  const built = await stat(BUILD_INFO).catch(() => null)
  if (!built) return `no ${SUBPATH_OUTPUT} yet`
  const runtime = await readFile(RUNTIME_CONFIG, 'utf8').catch(() => '')
  if (!runtime.includes(`"baseURL": "${BASE_PATH}"`)) return `${SUBPATH_OUTPUT} was built for another base URL`
  const changed = await newestSourceChange()
  return changed && changed.mtimeMs > built.mtimeMs ? `${changed.path} changed since ${SUBPATH_OUTPUT} was built` : null
}

/** What a build is not made from. */
const NOT_BUILT = /^(tests|bench|examples|\.ci)\/|\.md$/

/** The most recently modified source: files git tracks or would track (ignored ones, like builds, are not). */
async function newestSourceChange(): Promise<{ path: string; mtimeMs: number } | null> {
  const { stdout } = await promisify(execFile)('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { maxBuffer: 64 * 1024 * 1024 })
  let newest: { path: string; mtimeMs: number } | null = null
  for (const path of stdout.split('\0').filter((path) => path && !NOT_BUILT.test(path))) {
    const info = await stat(path).catch(() => null) // deleted but not yet committed
    if (info && (!newest || info.mtimeMs > newest.mtimeMs)) newest = { path, mtimeMs: info.mtimeMs }
  }
  return newest
}

async function build(reason: string): Promise<void> {
  console.log(`[proxy test] building the app under ${BASE_PATH} into ${SUBPATH_OUTPUT}: ${reason}`)
  let output = ''
  const child = spawn(process.execPath, [resolve('node_modules/nuxt/bin/nuxt.mjs'), 'build'], {
    env: { ...buildEnv(), ...SUBPATH_BUILD_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.on('data', (chunk) => { output += chunk })
  child.stderr.on('data', (chunk) => { output += chunk })
  const code = await new Promise<number | null>((done) => child.once('exit', done))
  if (code !== 0) throw new Error(`The sub-path build failed (exit ${code}):\n${output.slice(-8000)}`)
}

/** The environment without the test runner's marks, which would make Nuxt build for tests. */
function buildEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST.*|TEST|NODE_ENV)$/.test(name)))
}
