import type { Database } from '../../db/connect'
import type { JobQueue } from '../../jobs/queue'
import type { AssetService } from '../assets/assets.service'
import type { DataLayout } from '../../storage/paths'
import { ServerCapacity } from './capacity'
import { comfyGenerateJob, type GenerateJobOptions } from './generate.job'
import { GenerationService } from './generations.service'
import { GenerationPause } from './pause'
import { ComfyPool, type PoolOptions } from './pool'
import { ComfyServerService } from './servers.service'
import { TemplateRegistry } from './templates'
import { comfyWebhookJob, type WebhookJobOptions } from './webhook.job'
import { WorkflowService } from './workflows.service'

export interface ComfyServices {
  pool: ComfyPool
  generations: GenerationService
  servers: ComfyServerService
  workflows: WorkflowService
}

/**
 * Everything of ComfyUI generations, wired once: the server pool, the services users drive, and
 * the jobs (registered with `queue` before it starts) with what they need passed in.
 */
export function createComfyServices(args: {
  db: Database
  assets: AssetService
  layout: DataLayout
  queue: JobQueue
  pool?: PoolOptions
  generate?: GenerateJobOptions
  webhook?: WebhookJobOptions
}): ComfyServices {
  const { db, assets, layout, queue } = args
  const pool = new ComfyPool(db, args.pool)
  const pause = new GenerationPause(db)
  const templates = new TemplateRegistry(db)
  const capacity = new ServerCapacity(db, pool, pause, queue.transitions)
  const generations = new GenerationService(db, pool, templates, queue, assets)
  const jobs = [
    comfyGenerateJob({
      db, pool, capacity, pause, assets, layout,
      queueWebhook: ({ ownerId, generationId, url }) => queue.enqueue('comfy.webhook', { ownerId, input: { generationId, url } }),
    }, args.generate),
    comfyWebhookJob(db, args.webhook),
  ]
  queue.register(jobs)
  return { pool, generations, servers: new ComfyServerService(db, pool, pause), workflows: new WorkflowService(templates, pool) }
}
