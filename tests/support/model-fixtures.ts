import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { buildOnnxModel, floats } from './onnx-graph'

/**
 * Model folders for tests: a manifests folder and a models folder in a temp dir, with manifests
 * whose sizes and checksums match the files written (or deliberately do not).
 */
export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/**
 * A depth-shaped graph: `pixel_values` [1,3,h,w] → ReduceMean over channels → `predicted_depth`.
 * `padFloats` adds an unused initializer so the file (and the memory it is charged) is bigger.
 */
export function depthGraph(options: { input?: string; output?: string; padFloats?: number } = {}): Uint8Array {
  return buildOnnxModel({
    inputs: [{ name: options.input ?? 'pixel_values', dims: [1, 3, 'h', 'w'] }],
    outputs: [{ name: options.output ?? 'predicted_depth', dims: [1, 1, 'h', 'w'] }],
    nodes: [{ op: 'ReduceMean', inputs: [options.input ?? 'pixel_values'], outputs: [options.output ?? 'predicted_depth'], attributes: { axes: [1], keepdims: 1 } }],
    initializers: options.padFloats ? [floats('padding', new Array<number>(options.padFloats).fill(0.5))] : [],
    opset: 17,
  })
}

export interface FixtureFile {
  path: string
  bytes: Uint8Array
  url?: string | null
  /** Written to disk (default true); false leaves the model missing. */
  write?: boolean
  /** What the manifest claims, when it should differ from the bytes. */
  sha256?: string
  size?: number
}

export interface FixtureModel {
  id: string
  files: FixtureFile[]
  runtime?: 'onnx' | 'transformers'
  sessions?: Record<string, { file: string; inputs: string[]; outputs: string[] }>
  install?: string
}

export class ModelFolders {
  private constructor(readonly root: string, readonly manifestsDir: string, readonly modelsDir: string) {}

  static async create(): Promise<ModelFolders> {
    const root = await mkdtemp(join(tmpdir(), 'lattice-models-'))
    const folders = new ModelFolders(root, join(root, 'manifests'), join(root, 'models'))
    await mkdir(folders.manifestsDir, { recursive: true })
    await mkdir(folders.modelsDir, { recursive: true })
    return folders
  }

  async add(model: FixtureModel): Promise<void> {
    const manifest = {
      id: model.id,
      name: `Test ${model.id}`,
      task: 'depth',
      licence: 'MIT',
      source: 'https://example.com/model-card',
      runtime: model.runtime ?? 'onnx',
      files: model.files.map((f) => ({ path: f.path, url: f.url === undefined ? null : f.url, sha256: f.sha256 ?? sha256(f.bytes), size: f.size ?? f.bytes.byteLength })),
      sessions: model.sessions ?? (model.runtime === 'transformers' ? {} : { model: { file: model.files[0]!.path, inputs: ['pixel_values'], outputs: ['predicted_depth'] } }),
      ...(model.install ? { install: model.install } : {}),
    }
    await writeFile(join(this.manifestsDir, `${model.id}.json`), JSON.stringify(manifest, null, 2))
    for (const file of model.files) {
      if (file.write === false) continue
      await this.writeFile(model.id, file.path, file.bytes)
    }
  }

  async writeFile(id: string, path: string, bytes: Uint8Array): Promise<string> {
    const target = join(this.modelsDir, id, path)
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, bytes)
    return target
  }

  async writeManifest(name: string, text: string): Promise<void> {
    await writeFile(join(this.manifestsDir, name), text)
  }
}
