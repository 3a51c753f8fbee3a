import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeTaskModel } from './task-graphs'
import { writeIsnetSmall } from './isnet'

/**
 * A models folder for a server under test: stand-in graphs with the real tensor names for depth
 * and segmentation (their manifests in a folder for LATTICE_MODEL_MANIFESTS_DIR), and, with
 * `isnet`, the real ISNet matte model in place of the shipped `isnet-general` manifest's file.
 */
export async function prepareAiModels(root: string, options: { isnet?: boolean } = {}): Promise<{ env: Record<string, string>; modelsDir: string; manifestsDir: string }> {
  const modelsDir = join(root, 'models')
  const manifestsDir = join(root, 'manifests')
  await mkdir(manifestsDir, { recursive: true })
  for (const task of ['depth', 'segment'] as const) {
    const manifest = await writeTaskModel(join(modelsDir, `test-${task}`), task)
    await writeFile(join(manifestsDir, `test-${task}.json`), JSON.stringify(manifest))
  }
  if (options.isnet) await writeIsnetSmall(join(modelsDir, 'isnet-general'), 'isnet-small.onnx')
  return { env: { LATTICE_MODELS_DIR: modelsDir, LATTICE_MODEL_MANIFESTS_DIR: manifestsDir }, modelsDir, manifestsDir }
}
