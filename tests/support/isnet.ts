import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/**
 * The real ISNet "small" background-removal model (@imgly, AGPL-3.0: tests only), assembled from the
 * devDependency @imgly/background-removal-data: its resources.json lists the model's 4 MiB chunks,
 * named by sha256, with their offsets. None of @imgly's code is imported.
 */
export const ISNET_SMALL_SHA256 = '7001d60734fdc112dd9c062635fb59cd401fb82a9d4213134bce4dbd655c803a'
export const ISNET_SMALL_SIZE = 44_342_436

interface Resource { chunks: { hash: string; offsets: [number, number] }[]; size: number }

function dataDir(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@imgly/background-removal-data/package.json')), 'dist')
}

/** Concatenates the chunks in offset order, checking each chunk's hash, each offset and the whole file's sha256. */
export async function assembleIsnetSmall(): Promise<Buffer> {
  const dir = dataDir()
  const resources = JSON.parse(await readFile(join(dir, 'resources.json'), 'utf8')) as Record<string, Resource>
  const small = resources['/models/small']
  if (!small) throw new Error('@imgly/background-removal-data has no /models/small in resources.json.')
  const parts: Buffer[] = []
  let offset = 0
  for (const chunk of [...small.chunks].sort((a, b) => a.offsets[0] - b.offsets[0])) {
    if (chunk.offsets[0] !== offset) throw new Error(`ISNet chunk ${chunk.hash} starts at ${chunk.offsets[0]}, expected ${offset}.`)
    const bytes = await readFile(join(dir, chunk.hash))
    if (bytes.length !== chunk.offsets[1] - chunk.offsets[0]) throw new Error(`ISNet chunk ${chunk.hash} has ${bytes.length} bytes, expected ${chunk.offsets[1] - chunk.offsets[0]}.`)
    parts.push(bytes)
    offset = chunk.offsets[1]
  }
  const model = Buffer.concat(parts)
  const hash = createHash('sha256').update(model).digest('hex')
  if (model.length !== small.size || hash !== ISNET_SMALL_SHA256) {
    throw new Error(`The assembled ISNet small model is ${model.length} bytes with sha256 ${hash}; expected ${small.size} bytes, ${ISNET_SMALL_SHA256}.`)
  }
  return model
}

/**
 * Writes the model to `<dir>/<name>` (default `model.onnx`) and returns its path. The assembled file
 * is kept under os.tmpdir() by its hash, so several tests (and runs) assemble it once.
 */
export async function writeIsnetSmall(dir?: string, name = 'model.onnx'): Promise<string> {
  const cached = join(tmpdir(), `lattice-isnet-small-${ISNET_SMALL_SHA256}.onnx`)
  const present = await stat(cached).then(
    async (s) => s.size === ISNET_SMALL_SIZE && createHash('sha256').update(await readFile(cached)).digest('hex') === ISNET_SMALL_SHA256,
    () => false,
  )
  if (!present) {
    const model = await assembleIsnetSmall()
    const partial = `${cached}.${process.pid}.${Date.now()}.part`
    await writeFile(partial, model)
    await rename(partial, cached)
  }
  if (!dir) return cached
  await mkdir(dir, { recursive: true })
  const path = join(dir, name)
  await copyFile(cached, path)
  return path
}
