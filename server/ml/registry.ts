import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { modelManifestSchema, type ModelFile, type ModelManifest } from '../../shared/ai/manifest'
import { resolveInside } from '../storage/paths'

/**
 * Reads every `*.json` manifest in `dir` (the repo's `models/`). A bad one stops start-up with
 * its file name: a server that silently drops a model is harder to debug than one that says why.
 */
export async function loadManifests(dir: string): Promise<ModelManifest[]> {
  return parseManifests(await readManifestFiles(dir))
}

/** A manifest's JSON and where it came from (for error messages). */
export interface ManifestSource { file: string; raw: unknown }

/** The `*.json` files of a folder, parsed as JSON (a file that is not JSON throws, naming it). */
export async function readManifestFiles(dir: string): Promise<ManifestSource[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()
  return Promise.all(names.map(async (name) => {
    try {
      return { file: join(dir, name), raw: JSON.parse(await readFile(join(dir, name), 'utf8')) as unknown }
    } catch (error) {
      throw new Error(`Model manifest ${name} is not valid JSON: ${(error as Error).message}`)
    }
  }))
}

/** Validates manifests from any source (files, or the ones bundled into the build); ids must be unique across all. */
export function parseManifests(sources: ManifestSource[]): ModelManifest[] {
  const manifests: ModelManifest[] = []
  const seen = new Map<string, string>()
  for (const { file: name, raw } of sources) {
    const parsed = modelManifestSchema.safeParse(raw)
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
      throw new Error(`Model manifest ${name} is invalid: ${issues}`)
    }
    const manifest = parsed.data
    const earlier = seen.get(manifest.id)
    if (earlier) throw new Error(`Model manifest ${name} repeats the id "${manifest.id}" of ${earlier}.`)
    if (manifest.runtime === 'onnx' && Object.keys(manifest.sessions).length === 0) throw new Error(`Model manifest ${name} has no sessions; an onnx model names at least one graph.`)
    const paths = new Set(manifest.files.map((f) => f.path))
    for (const session of Object.values(manifest.sessions)) {
      if (!paths.has(session.file)) throw new Error(`Model manifest ${name} names a session file "${session.file}" that is not among its files.`)
    }
    seen.set(manifest.id, name)
    manifests.push(manifest)
  }
  return manifests
}

/** `<modelsDir>/<id>`; ids are validated by the schema, resolveInside is the second guard. */
export const modelDir = (modelsDir: string, id: string): string => resolveInside(modelsDir, id)

/** `<modelsDir>/<id>/<file.path>`. */
export const modelFilePath = (modelsDir: string, id: string, file: Pick<ModelFile, 'path'> | string): string =>
  resolveInside(modelDir(modelsDir, id), ...(typeof file === 'string' ? file : file.path).split('/'))

export const totalSize = (manifest: ModelManifest): number => manifest.files.reduce((sum, f) => sum + f.size, 0)

/** What to tell someone whose model is not there. */
export function installHint(manifest: ModelManifest, modelsDir: string): string {
  const where = modelDir(modelsDir, manifest.id)
  const files = manifest.files.map((f) => f.path).join(', ')
  const download = manifest.files.every((f) => f.url) ? 'Download it in Settings → Models, or copy' : 'Copy'
  const custom = manifest.install ? ` ${manifest.install}` : ''
  return `${download} its files (${files}) into ${where}/ and press Verify.${custom}`
}
