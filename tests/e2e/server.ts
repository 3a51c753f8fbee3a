import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const SERVER_ENTRY = resolve('.output/server/index.mjs')
export const ADMIN = { email: 'admin@example.com', password: 'admin-password-1' }
export const BOOTSTRAP_TOKEN = 'lat_e2e_bootstrap_token_0123456789'

export interface RunningServer {
  url: string
  /** The server's process id, as its Instance row records it. */
  pid: number
  dataDir: string
  /** Everything the server printed, for assertions and for failure messages. */
  output(): string
  /** SIGTERM and wait for exit; the data dir is kept until dispose(). */
  stop(): Promise<number | null>
  /** SIGKILL (no shutdown at all) and wait for exit; the data dir is kept until dispose(). */
  kill(): Promise<void>
  dispose(): Promise<void>
}

/** A port nothing listens on now, for a server to be started on. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/**
 * Starts the built app (`npm run build` output) as a real process, on a fresh embedded database
 * unless `env.DATABASE_URL` says otherwise, with the admin and a bootstrap token from env.
 * `entry`: another build's server (default `.output`).
 */
export async function startServer(options: { env?: Record<string, string>; dataDir?: string; entry?: string } = {}): Promise<RunningServer> {
  const entry = options.entry ?? SERVER_ENTRY
  if (!existsSync(entry)) throw new Error(`No server build at ${entry}: run \`npm run build\` first (npm test does).`)
  const dataDir = options.dataDir ?? await mkdtemp(join(tmpdir(), 'lattice-e2e-'))
  const port = await freePort()
  let output = ''
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LATTICE_DATA_DIR: dataDir,
      LATTICE_ADMIN_EMAIL: ADMIN.email,
      LATTICE_ADMIN_PASSWORD: ADMIN.password,
      LATTICE_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
      DATABASE_URL: '',
      // Inference on one core: the test run's other files (browsers, encoders) keep the other.
      LATTICE_AI_THREADS: '1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (chunk) => { output += chunk })
  child.stderr!.on('data', (chunk) => { output += chunk })
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  const url = `http://127.0.0.1:${port}`

  const deadline = Date.now() + 60_000
  for (;;) {
    let failed: string | undefined
    if (child.exitCode !== null) failed = `The server exited during start-up:\n${output}`
    else if (Date.now() > deadline) failed = `The server did not become ready in 60 s:\n${output}`
    if (failed) {
      child.kill('SIGKILL')
      await exited
      // Nobody gets a handle to dispose of: the data dir this call made goes now.
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true })
      throw new Error(failed)
    }
    if (output.includes('[lattice] ready')) break
    await new Promise((r) => setTimeout(r, 100))
  }

  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM')
    return exited
  }
  return {
    url,
    pid: child.pid!,
    dataDir,
    output: () => output,
    stop,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
    dispose: async () => {
      await stop()
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true })
    },
  }
}
