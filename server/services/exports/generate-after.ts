import type { AssetService } from '../assets/assets.service'
import { bundleInputs } from '../../../shared/export/bundle-inputs'
import type { ExportBundle, ExportFile, ExportOutput } from '../../../shared/export/options'
import type { TemplateSource } from './bundle'

/** Queues a generation of a template with assets as its inputs; returns its id. */
export type GenerationStarter = (ownerId: string, input: { templateId: string; params?: Record<string, string | number | boolean>; inputs: Record<string, string> }) => Promise<{ id: string }>

/**
 * Export and generate: the stored outputs become the inputs of a generation of the chosen
 * template. A video input takes its video's asset; a picture input takes the first frame of its
 * sequence, stored as an image asset of its own. A generation that cannot start (no ComfyUI
 * server answering, say) does not fail the export: the files are there, and the log says why.
 */
export async function startGeneration(args: {
  deps: { templates: TemplateSource; generate: GenerationStarter; assets: AssetService }
  ownerId: string
  use: ExportBundle
  outputs: ExportOutput[]
  /** Each output's files as written (frames in order), still in the work folder. */
  finished: string[][]
  stored: ExportFile[]
  log: (message: string) => Promise<void>
}): Promise<{ id: string } | null> {
  const { deps, ownerId, use } = args
  try {
    const template = await deps.templates.get(ownerId, use.templateId)
    const chosen = bundleInputs(template.manifest, args.outputs, use.inputs)
    const inputs: Record<string, string> = {}
    for (const [name, index] of Object.entries(chosen)) {
      const output = args.outputs[index]!
      if (output.kind === 'sequence') {
        const first = args.finished[index]![0]!
        const { asset } = await deps.assets.adoptMade(ownerId, first, first.slice(first.lastIndexOf('/') + 1))
        inputs[name] = asset.id
      } else {
        const stored = args.stored.find((file) => file.output === index)
        if (stored) inputs[name] = stored.assetId
      }
    }
    await untilReady(deps.assets, ownerId, Object.values(inputs))
    return await deps.generate(ownerId, { templateId: template.id, params: use.params, inputs })
  } catch (error) {
    await args.log(`The files are exported, but the generation could not start: ${(error as Error).message}`)
    return null
  }
}

/** How long a stored video may take to be probed and thumbnailed before the generation gives up on it. */
const READY_TIMEOUT_MS = 120_000

/** Videos are probed by their own job after they are stored; a generation takes only ready assets. */
async function untilReady(assets: AssetService, ownerId: string, ids: string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  for (const id of ids) {
    for (;;) {
      const asset = await assets.get(ownerId, id)
      if (asset.status === 'ready') break
      if (asset.status === 'failed') throw new Error(`"${asset.name}" could not be read: ${asset.error ?? 'no reason given'}`)
      if (Date.now() > deadline) throw new Error(`"${asset.name}" was still being processed after ${READY_TIMEOUT_MS / 1000} s`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}
