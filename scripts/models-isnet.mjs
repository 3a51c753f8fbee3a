#!/usr/bin/env node
/**
 * Installs the ISNet background-removal model (`isnet-general`) without a download: its weights
 * ship in the npm package @imgly/background-removal-data (a devDependency, so `npm install`
 * fetched it from the registry) as 4 MiB chunks. This joins them, checks the sha256 of the whole
 * and writes `<models dir>/isnet-general/model.onnx`, which the model manager then finds.
 * ISNet's weights are AGPL-3.0 (see the package's LICENSE.md): read it before you ship them.
 *
 *   npm run models:isnet                # into $LATTICE_MODELS_DIR, or <data dir>/models
 *   npm run models:isnet -- /some/dir   # into /some/dir/isnet-general/
 */
import { createHash } from 'node:crypto'
import { readFile, mkdir, open, rename, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ISNET = { id: 'isnet-general', file: 'isnet-small.onnx', size: 44_342_436, sha256: '7001d60734fdc112dd9c062635fb59cd401fb82a9d4213134bce4dbd655c803a' }

/** Writes the assembled model to `<modelsDir>/isnet-general/model.onnx` (atomically) and returns its path. */
export async function installIsnet(modelsDir) {
  const require = createRequire(import.meta.url)
  let resourcesPath
  try {
    resourcesPath = require.resolve('@imgly/background-removal-data/dist/resources.json')
  } catch {
    throw new Error('@imgly/background-removal-data is not installed: run `npm install` in the Lattice folder first (it is a devDependency).')
  }
  const resources = JSON.parse(await readFile(resourcesPath, 'utf8'))
  const entry = resources['/models/small']
  if (!entry || entry.size !== ISNET.size) throw new Error('This version of @imgly/background-removal-data does not ship the expected ISNet model (44,342,436 bytes).')
  const target = join(modelsDir, ISNET.id, ISNET.file)
  await mkdir(dirname(target), { recursive: true })
  const part = `${target}.part`
  const out = await open(part, 'w')
  const hash = createHash('sha256')
  try {
    for (const chunk of entry.chunks) {
      const bytes = await readFile(join(dirname(resourcesPath), chunk.hash))
      hash.update(bytes)
      await out.write(bytes)
    }
    await out.sync()
  } finally {
    await out.close()
  }
  const digest = hash.digest('hex')
  if (digest !== ISNET.sha256) {
    await rm(part, { force: true })
    throw new Error(`The assembled model's sha256 is ${digest}, not ${ISNET.sha256}; the package's files are damaged. Reinstall it (npm ci).`)
  }
  await rename(part, target)
  return target
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dataDir = process.env.LATTICE_DATA_DIR?.trim() || resolve('.data')
  const modelsDir = resolve(process.argv[2] || process.env.LATTICE_MODELS_DIR?.trim() || join(dataDir, 'models'))
  installIsnet(modelsDir).then(
    (path) => console.info(`Installed isnet-general: ${path}\nOpen Settings → Models and press Verify, or just use Remove background.`),
    (error) => { console.error(error.message); process.exit(1) },
  )
}
