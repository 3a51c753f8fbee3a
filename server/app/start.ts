import { openDatabase } from '../db/connect'
import { applyMigrations, type Migration } from '../db/migrate'
import { seedDatabase } from '../db/snapshot'
import { JobQueue } from '../jobs/queue'
import { AuthService } from '../services/auth/auth.service'
import { ProjectService } from '../services/projects/projects.service'
import { AssetService } from '../services/assets/assets.service'
import { assetProcessJob } from '../services/assets/process.job'
import { DataLayout } from '../storage/paths'
import { GenerationEventLog } from '../services/generations/events'
import { comfyGenerateJob } from '../services/generations/generate.job'
import { GenerationService } from '../services/generations/generations.service'
import { ComfyPool } from '../services/generations/pool'
import { TemplateRegistry } from '../services/generations/templates'
import { comfyWebhookJob } from '../services/generations/webhook.job'
import type { Services } from '../trpc/context'
import type { LatticeConfig } from './config'
import { createInitialAdmin } from './initial-admin'

export interface RunningLattice {
  services: Services
  config: LatticeConfig
  stop(): Promise<void>
}

/**
 * Opens the database, applies pending migrations, bootstraps the first admin and starts the job
 * queue. The HTTP server calls it once; tests call it with their own config.
 */
export async function startLattice(config: LatticeConfig, migrations: Migration[], version: string): Promise<RunningLattice> {
  await seedDatabase(config.database, migrations)
  const db = await openDatabase(config.database)
  try {
    const applied = await applyMigrations(db.sql, migrations)
    if (applied.applied.length > 0) console.info(`[lattice] applied migrations: ${applied.applied.join(', ')}`)
    const auth = new AuthService(db)
    for (const line of await auth.bootstrap(config.bootstrap)) console.info(`[lattice] ${line}`)
    if ((await db.prisma.user.count()) === 0) await createInitialAdmin(auth, config.dataDir)
    const layout = new DataLayout(config.dataDir)
    // The asset service enqueues through the queue, and the queue runs the asset job: tie the knot.
    const holder: { queue?: JobQueue } = {}
    const assets = new AssetService(db, layout, { enqueue: (...args) => holder.queue!.enqueue(...args) }, config.maxUploadBytes, config.maxOutputBytes)
    const pool = new ComfyPool(db)
    const generations = new GenerationService(db, pool, new TemplateRegistry(db), new GenerationEventLog(db), { enqueue: (...args) => holder.queue!.enqueue(...args), cancel: (id) => holder.queue!.cancel(id) }, assets)
    await generations.upsertFromEnv(config.comfy.urls)
    const queue = new JobQueue(db, [
      assetProcessJob(db, assets, layout),
      comfyGenerateJob(db, generations, assets, layout, () => holder.queue!, { webhookUrl: config.comfy.webhookUrl }),
      comfyWebhookJob(db, { secret: config.comfy.webhookSecret }),
    ], {
      worker: config.worker,
      // The embedded database is opened by one process only: instances recorded before this start are gone.
      liveness: { exclusiveDatabase: db.kind === 'pglite' },
    })
    holder.queue = queue
    await pool.start()
    await queue.start()
    const services: Services = { db, auth, projects: new ProjectService(db), assets, queue, generations, version }
    let stopping: Promise<void> | null = null
    return {
      services,
      config,
      stop: () => (stopping ??= (async () => {
        await queue.stop()
        await pool.close()
        await db.close()
      })()),
    }
  } catch (error) {
    await db.close().catch(() => {})
    throw error
  }
}
