// `npm start`: builds the app when the build is missing or older than the sources, then runs it
// with the embedded database under ./data (or DATABASE_URL when set).
import { spawnSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const ENTRY = '.output/server/index.mjs'
const SOURCES = ['server', 'shared', 'pages', 'components', 'stores', 'layouts', 'middleware', 'plugins', 'composables', 'assets', 'public', 'prisma', 'app.vue', 'nuxt.config.ts', 'package.json']

function newestMtime(path) {
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

const built = existsSync(ENTRY) ? statSync(ENTRY).mtimeMs : 0
if (built === 0 || Math.max(...SOURCES.map(newestMtime)) > built) {
  console.info(built === 0 ? '[lattice] building the app (first start)…' : '[lattice] sources changed since the last build: rebuilding…')
  const result = spawnSync(process.execPath, ['node_modules/nuxt/bin/nuxt.mjs', 'build'], { stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

const child = spawn(process.execPath, [ENTRY], {
  stdio: 'inherit',
  env: { ...process.env, PORT: process.env.PORT ?? '3000', LATTICE_DATA_DIR: process.env.LATTICE_DATA_DIR ?? 'data' },
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code) => process.exit(code ?? 0))
