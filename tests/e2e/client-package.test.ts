import { execFile } from 'node:child_process'
import { realpathSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { BOOTSTRAP_TOKEN, startServer, type RunningServer } from './server'

const run = promisify(execFile)
const TSX = resolve('node_modules/.bin/tsx')
const TSC = resolve('node_modules/typescript/bin/tsc')
// Its real path: through a symlinked node_modules, tsc would load a second copy from the files it references.
const NODE_TYPES = join(realpathSync(resolve('node_modules/@types/node')), 'index.d.ts')
const stripTypes = process.allowedNodeEnvironmentFlags.has('--experimental-strip-types')

/** The README's code block that follows the bold `file` name in its client section, as a reader copies it. */
async function readmeSnippet(file: string): Promise<string> {
  const readme = await readFile(resolve('README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Scripts: the typed client'))
  const match = new RegExp(`\\*\\*\`${file.replace('.', '\\.')}\`\\*\\*[^]*?\`\`\`js\\n([^]*?)\`\`\``).exec(section)
  if (!match?.[1]) throw new Error(`README.md's client section has no code block for ${file}`)
  return match[1]
}

/** npm as a user runs it: none of this test run's own npm settings (prefix, scripts) leak in. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)))
  return { ...env, ...extra }
}

/** Builds the package from this checkout into `work` and packs it; returns the tarball's path. */
async function buildAndPack(work: string): Promise<string> {
  const packageDir = join(work, 'package')
  await run(process.execPath, [resolve('scripts/build-client.mjs'), '--out', packageDir], { env: userEnv() })
  const { stdout } = await run('npm', ['pack', '--pack-destination', work], { cwd: packageDir, env: userEnv() })
  return join(work, stdout.trim().split('\n').at(-1)!)
}

/** A one-second video whose bytes differ per `size`, so each upload is new work rather than a duplicate. */
async function plate(dir: string, size: string): Promise<void> {
  await run('ffmpeg', ['-y', '-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=12`, '-t', '1', '-pix_fmt', 'yuv420p', join(dir, 'plate.mp4')])
}

describe('@lattice/client installed in a folder outside the repository', () => {
  let server: RunningServer
  let work: string
  let scripts: string
  let saved: string

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'lattice-client-package-'))
    const [started, packed] = await Promise.allSettled([startServer(), buildAndPack(work)])
    if (started.status === 'fulfilled') server = started.value
    if (started.status === 'rejected') throw started.reason
    if (packed.status === 'rejected') throw packed.reason
    const tarball = packed.value
    // The README's steps, with --offline: installing must not need a registry.
    scripts = join(work, 'plates')
    await mkdir(scripts)
    await run('npm', ['init', '-y'], { cwd: scripts, env: userEnv() })
    await run('npm', ['pkg', 'set', 'type=module'], { cwd: scripts, env: userEnv() })
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: scripts, env: userEnv() })

    const lattice = createLatticeClient({ url: server.url, token: BOOTSTRAP_TOKEN })
    const dusk = await lattice.api.projects.create.mutate({ name: 'Harbour at dusk', width: 320, height: 176, fps: 12 })
    await lattice.api.projects.create.mutate({ name: 'Noon market', width: 320, height: 176, fps: 12 })
    saved = `Harbour at dusk, saved ${dusk.updatedAt.toISOString()}`
  }, 300_000)

  afterAll(async () => {
    await server?.dispose()
    if (work) await rm(work, { recursive: true, force: true })
  })

  const scriptEnv = () => userEnv({ LATTICE_URL: server.url, LATTICE_TOKEN: BOOTSTRAP_TOKEN })

  it('installs from the tarball with nothing else to fetch, and its types import nothing', async () => {
    expect((await readdir(join(scripts, 'node_modules'))).filter((name) => !name.startsWith('.'))).toEqual(['@lattice'])
    const manifest = JSON.parse(await readFile(join(scripts, 'node_modules/@lattice/client/package.json'), 'utf8'))
    expect(manifest.dependencies).toBeUndefined()
    const declarations = await readFile(join(scripts, 'node_modules/@lattice/client/index.d.ts'), 'utf8')
    expect(declarations.match(/^import .*$/gm)).toBeNull()
    expect(declarations).toContain('declare function createLatticeClient(')
  })

  it('runs the README\'s .mjs snippet under plain node: typed procedures, an upload, a job followed over SSE', async () => {
    await writeFile(join(scripts, 'plates.mjs'), await readmeSnippet('plates.mjs'))
    await plate(scripts, '160x120')
    const { stdout } = await run(process.execPath, ['plates.mjs'], { cwd: scripts, env: scriptEnv() })
    expect(stdout).toContain(saved)
    expect(stdout).not.toContain('Noon market')
    expect(stdout).toMatch(/^100%$/m)
    expect(stdout).toMatch(/^plate\.mp4: succeeded$/m)
  })

  it('runs the README\'s .cjs snippet with require', async () => {
    await writeFile(join(scripts, 'plates.cjs'), await readmeSnippet('plates.cjs'))
    await plate(scripts, '176x144')
    const { stdout } = await run(process.execPath, ['plates.cjs'], { cwd: scripts, env: scriptEnv() })
    expect(stdout).toContain(saved)
    expect(stdout).toMatch(/^plate\.mp4: succeeded$/m)
  })

  it('runs the README\'s snippet saved as .ts under tsx', async () => {
    await writeFile(join(scripts, 'plates.ts'), await readmeSnippet('plates.mjs'))
    await plate(scripts, '192x144')
    const { stdout } = await run(TSX, ['plates.ts'], { cwd: scripts, env: scriptEnv() })
    expect(stdout).toContain(saved)
    expect(stdout).toMatch(/^plate\.mp4: succeeded$/m)
  })

  it('throws its own TRPCClientError, with the server\'s code and message, for a script that is refused', async () => {
    await writeFile(join(scripts, 'refused.mjs'), [
      "import { createLatticeClient, TRPCClientError } from '@lattice/client'",
      "const lattice = createLatticeClient({ url: process.env.LATTICE_URL, token: 'lat_not_a_token' })",
      'try { await lattice.api.projects.list.query({}) } catch (error) {',
      '  console.log(JSON.stringify({ own: error instanceof TRPCClientError, name: error.name, code: error.data?.code, message: error.message }))',
      '}',
    ].join('\n'))
    const { stdout } = await run(process.execPath, ['refused.mjs'], { cwd: scripts, env: scriptEnv() })
    expect(JSON.parse(stdout)).toEqual({ own: true, name: 'TRPCClientError', code: 'UNAUTHORIZED', message: expect.stringMatching(/API token/) })
  })

  // Node 22.6+ can run TypeScript itself; Node 20 has no such flag, so there is nothing to run there.
  it.skipIf(!stripTypes)('runs the README\'s snippet saved as .ts under node --experimental-strip-types', async () => {
    await writeFile(join(scripts, 'plates-stripped.ts'), await readmeSnippet('plates.mjs'))
    await plate(scripts, '208x160')
    const { stdout } = await run(process.execPath, ['--experimental-strip-types', 'plates-stripped.ts'], { cwd: scripts, env: scriptEnv() })
    expect(stdout).toContain(saved)
    expect(stdout).toMatch(/^plate\.mp4: succeeded$/m)
  })

  describe('type-checked by a strict tsc that has only the package (and Node\'s types)', () => {
    const tsconfig = (files: string[], skipLibCheck: boolean) => JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'nodenext', lib: ['ES2022', 'DOM'], types: [], strict: true,
        noUncheckedIndexedAccess: true, noEmit: true, skipLibCheck,
      },
      files: ['node-types.d.ts', ...files],
    })
    const tsc = async (config: string) => {
      await writeFile(join(scripts, 'node-types.d.ts'), `/// <reference path=${JSON.stringify(NODE_TYPES)} />\n`)
      await writeFile(join(scripts, 'tsconfig.json'), config)
      return run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: scripts, env: userEnv() }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      )
    }

    it('accepts the README\'s snippet, checking the package\'s own declarations too', async () => {
      await writeFile(join(scripts, 'plates.ts'), await readmeSnippet('plates.mjs'))
      const { code, stdout } = await tsc(tsconfig(['plates.ts'], false))
      expect(stdout).toBe('')
      expect(code).toBe(0)
    }, 180_000)

    it('rejects a wrong input, a wrong use of an output and a procedure that does not exist, and nothing else', async () => {
      await writeFile(join(scripts, 'wrong.ts'), [
        "import { createLatticeClient } from '@lattice/client'",
        "const lattice = createLatticeClient({ url: 'http://localhost:3000' })",
        "await lattice.api.projects.list.query({ search: 42 })",
        'const { items } = await lattice.api.projects.list.query({})',
        'const width: number = items[0]!.name',
        "await lattice.api.projects.lsit.query({})",
        'const updated: Date = items[0]!.updatedAt',
        'console.log(width, updated)',
      ].join('\n'))
      const { code, stdout } = await tsc(tsconfig(['wrong.ts'], true))
      expect(code).not.toBe(0)
      const errors = stdout.split('\n').filter((line) => line.startsWith('wrong.ts('))
      expect(errors.map((line) => /^wrong\.ts\((\d+),/.exec(line)?.[1])).toEqual(['3', '5', '6'])
      expect(errors[0]).toMatch(/TS2322: Type 'number' is not assignable to type 'string'/)
      expect(errors[1]).toMatch(/TS2322: Type 'string' is not assignable to type 'number'/)
      expect(errors[2]).toMatch(/Property 'lsit' does not exist/)
    }, 120_000)
  })
})
