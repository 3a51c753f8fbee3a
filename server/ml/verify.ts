import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { ModelManifest } from '../../shared/ai/manifest'
import { modelFilePath } from './registry'

export interface FileCheck {
  state: 'missing' | 'installed' | 'corrupt'
  problem: string | null
  /** Sizes and modification times of the files: a verdict holds while this is unchanged. */
  fingerprint: string
}

/** The fast check done at start and before a load: every file is there with its size. */
export async function checkSizes(manifest: ModelManifest, modelsDir: string): Promise<FileCheck> {
  const missing: string[] = []
  const wrong: string[] = []
  const prints: string[] = []
  for (const file of manifest.files) {
    const found = await stat(modelFilePath(modelsDir, manifest.id, file)).catch(() => null)
    if (!found?.isFile()) {
      missing.push(file.path)
      prints.push(`${file.path}:-`)
      continue
    }
    prints.push(`${file.path}:${found.size}:${found.mtimeMs}`)
    if (found.size !== file.size) wrong.push(`${file.path} is ${found.size} bytes, expected ${file.size}`)
  }
  const fingerprint = prints.join('|')
  if (wrong.length > 0) return { state: 'corrupt', problem: `Wrong size: ${wrong.join('; ')}.`, fingerprint }
  if (missing.length === manifest.files.length) return { state: 'missing', problem: null, fingerprint }
  if (missing.length > 0) return { state: 'missing', problem: `Not there: ${missing.join(', ')}.`, fingerprint }
  return { state: 'installed', problem: null, fingerprint }
}

/** The "Verify" button: sizes first, then the sha256 of every file, streamed. */
export async function verifyFiles(manifest: ModelManifest, modelsDir: string, signal?: AbortSignal): Promise<FileCheck> {
  const sizes = await checkSizes(manifest, modelsDir)
  if (sizes.state !== 'installed') return sizes
  const bad: string[] = []
  for (const file of manifest.files) {
    const actual = await sha256File(modelFilePath(modelsDir, manifest.id, file), signal)
    if (actual !== file.sha256) bad.push(`${file.path} has sha256 ${actual}, expected ${file.sha256}`)
  }
  if (bad.length > 0) return { state: 'corrupt', problem: `Checksum mismatch: ${bad.join('; ')}.`, fingerprint: sizes.fingerprint }
  return sizes
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
