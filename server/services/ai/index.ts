import type { Database } from '../../db/connect'
import type { JobQueue } from '../../jobs/queue'
import type { DataLayout } from '../../storage/paths'
import { createModelManager } from '../../ml'
import type { ManifestSource } from '../../ml/registry'
import { florenceLoader } from '../../ml/caption/florence'
import type { AiConfig } from '../../app/config'
import type { AssetService } from '../assets/assets.service'
import { AiService } from './ai.service'
import { aiTaskJob } from './task.job'

export interface AiServicesOptions {
  db: Database
  queue: JobQueue
  assets: AssetService
  layout: DataLayout
  config: AiConfig
  /** The manifests Lattice ships (models/*.json, bundled into the build). */
  manifests: ManifestSource[]
}

/** The model manager (its download job registered), the `ai.task` job, and the service the `ai` router calls. */
export async function createAiServices(options: AiServicesOptions) {
  const { db, queue, assets, layout, config } = options
  const models = createModelManager({
    manifests: options.manifests,
    extraManifestsDir: config.extraManifestsDir,
    modelsDir: config.modelsDir,
    device: config.device,
    memoryBudgetBytes: config.memoryBudgetBytes,
    idleMs: config.idleMs,
    threads: config.threads,
    queue,
    db,
    nativeLoaders: { transformers: florenceLoader },
  })
  await models.start()
  queue.register([aiTaskJob({ db, assets, layout, models, concurrency: config.concurrency })])
  return {
    ai: new AiService(queue, assets, layout, models, config.vlm),
    models,
    /** After the queue stopped: no task needs a model any more. */
    close: () => models.close(),
  }
}
