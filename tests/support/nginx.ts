import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const NGINX = '/usr/sbin/nginx'

/** Where the README's block proxies to; the test swaps in its own server. */
const README_UPSTREAM = 'http://127.0.0.1:3000'
const README_LOCATION = 'location / {'

export interface RunningNginx {
  url: string
  /** nginx's error log so far, for failure messages. */
  errors(): Promise<string>
  stop(): Promise<void>
}

/** Fails, saying what to install, when Debian's nginx is missing: the proxy test never skips. */
export function requireNginx(): void {
  if (!existsSync(NGINX)) throw new Error(`nginx is not installed (${NGINX} is missing): install Debian's nginx package (apt-get install nginx), as .ci/run does.`)
}

/** The README's one ```nginx block, exactly as users copy it. */
export async function readmeNginxBlock(): Promise<string> {
  const readme = await readFile(resolve('README.md'), 'utf8')
  const blocks = [...readme.matchAll(/^```nginx\n([\s\S]*?)^```$/gm)].map((match) => match[1]!)
  if (blocks.length !== 1) throw new Error(`README.md should hold exactly one \`\`\`nginx block; it holds ${blocks.length}.`)
  return blocks[0]!
}

/**
 * The README's block with only what a user changes for a sub-path: the location's prefix and the
 * upstream address. Each must be there exactly once, so a README that drifts fails here.
 */
export function subPathBlock(block: string, basePath: string, upstream: string): string {
  for (const expected of [README_LOCATION, README_UPSTREAM]) {
    const count = block.split(expected).length - 1
    if (count !== 1) throw new Error(`The README's nginx block should contain "${expected}" once; it contains it ${count} times.`)
  }
  return block.replace(README_LOCATION, `location ${basePath} {`).replace(README_UPSTREAM, upstream)
}

/**
 * Debian's nginx as this user: every path it writes (pid, logs, request-body and proxy temp
 * files) in a temp folder, in the foreground so stopping its master process ends it.
 */
export async function startNginx(serverBlock: string, port: number): Promise<RunningNginx> {
  requireNginx()
  const prefix = await mkdtemp(join(tmpdir(), 'lattice-nginx-'))
  const temp = (name: string) => join(prefix, name)
  for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) await mkdir(temp(dir))
  const config = `
worker_processes 1;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} info;
events { worker_connections 256; }
http {
  access_log ${temp('access.log')};
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  server {
    listen 127.0.0.1:${port};
${serverBlock}
  }
}
`
  await writeFile(temp('nginx.conf'), config)
  let output = ''
  const child: ChildProcess = spawn(NGINX, ['-p', prefix, '-e', temp('error.log'), '-c', temp('nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout!.on('data', (chunk) => { output += chunk })
  child.stderr!.on('data', (chunk) => { output += chunk })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const errors = async () => `${output}${await readFile(temp('error.log'), 'utf8').catch(() => '')}`
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    await rm(prefix, { recursive: true, force: true })
  }

  const deadline = Date.now() + 15_000
  while (!await answers(port)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = await errors()
      await stop()
      throw new Error(`nginx did not start on port ${port}:\n${log}\nconfig:\n${config}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { url: `http://127.0.0.1:${port}`, errors, stop }
}

/** Whether nginx (not something else that took the port) answers there. */
async function answers(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) })
    await response.body?.cancel()
    return response.headers.get('server')?.startsWith('nginx') ?? false
  } catch {
    return false
  }
}
