import { rm } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { downloadOutput, isComfyError, uploadImage, type ComfyConnection, type Workflow } from '../../comfy'
import type { AssetService } from '../assets/assets.service'
import type { DataLayout } from '../../storage/paths'
import { extensionFor } from '../../media'
import { GenerationFailed, GenerationRetry } from './failures'
import type { StoredInputs } from './generation.dto'
import type { GenerationPause } from './pause'

const ENOSPC = /ENOSPC|no space left on device/i

/** Uploads the input assets and names them in the workflow's LoadImage and LoadVideo nodes. */
export async function withInputs(connection: ComfyConnection, assets: AssetService, ownerId: string, workflow: Workflow, inputs: StoredInputs, signal: AbortSignal): Promise<Workflow> {
  const entries = Object.values(inputs)
  if (entries.length === 0) return workflow
  const copy = structuredClone(workflow)
  for (const input of entries) {
    const file = await assets.file(ownerId, input.assetId)
    // ComfyUI's loaders tell pictures from videos by the extension (folder_paths.filter_files_content_types).
    const ext = extensionFor(file.mime) ?? extname(file.name)
    const uploaded = await uploadImage(connection.http, file.path, { filename: `lattice-${file.hash.slice(0, 20)}${ext}`, subfolder: 'lattice', signal })
    const node = copy[input.node]
    if (!node) throw new GenerationFailed(`The workflow has no node #${input.node} for the input file.`, 'invalid_workflow')
    node.inputs[input.input] = uploaded.ref
  }
  return copy
}

/**
 * Streams one output to storage and ingests it as an asset; a full disk pauses the queue, and an
 * output over LATTICE_MAX_OUTPUT_MB fails the generation (nothing of it is kept).
 */
export async function storeOutput(connection: ComfyConnection, assets: AssetService, pause: GenerationPause, layout: DataLayout, ownerId: string, id: string, index: number, file: { filename: string; subfolder: string; type: string }, signal: AbortSignal): Promise<string> {
  const path = join(layout.tmpDir(), `generation-${id}-${index}${extname(file.filename)}`)
  try {
    const downloaded = await downloadOutput(connection.http, file, () => path, { signal, maxBytes: assets.maxOutputBytes })
    if (downloaded.bytes === 0) throw new GenerationFailed(`ComfyUI's output "${file.filename}" is empty. Check the workflow's save node.`, 'output_missing')
    // Its thumbnail is made once the generation has succeeded (generate.job.ts), not on the way there.
    const { asset } = await assets.adopt(ownerId, { path, size: downloaded.bytes, sha256: downloaded.sha256 }, file.filename, { deferThumbnail: true })
    return asset.id
  } catch (error) {
    if (isComfyError(error) && error.kind === 'output_too_large') {
      throw new GenerationFailed(`${error.message} Raise LATTICE_MAX_OUTPUT_MB, or make the workflow's result smaller (fewer frames, lower resolution or bitrate).`, 'output_too_large')
    }
    const message = (error as Error).message
    if (ENOSPC.test(message) || (error as { code?: string }).code === 'ENOSPC') {
      const reason = `Storage is full: the result of generation ${id} could not be written to the data folder. Free disk space, then resume the queue in Settings → ComfyUI servers.`
      await pause.pause(reason)
      throw new GenerationRetry(reason, 'storage_full')
    }
    throw error
  } finally {
    await rm(path, { force: true })
  }
}
