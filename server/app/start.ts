import { openDatabase } from '../db/connect'
import { applyMigrations, type Migration } from '../db/migrate'
import { seedDatabase } from '../db/snapshot'
import { JobQueue } from '../jobs/queue'
import { AuthService } from '../services/auth/auth.service'
import { ProjectService } from '../services/projects/projects.service'
import { AssetService } from '../services/assets/assets.service'
import { assetProcessJob } from '../services/assets/process.job'
import { DataLayout } from '../storage/paths'
import { createComfyServices } from '../services/generations'
import { JobService } from '../services/jobs/jobs.service'
import { createExportServices } from '../services/exports'
import { createAiServices } from '../services/ai'
import type { ManifestSource } from '../ml/registry'
import type { Services } from '../trpc/context'
import type { LatticeConfig } from './config'
import { bootstrapDatabase } from './bootstrap'

export interface RunningLattice {
  services: Services
  config: LatticeConfig
  stop(): Promise<void>
}

/**
 * Opens the database, applies pending migrations, bootstraps the first admin and starts the job
 * queue. The HTTP server calls it once; tests call it with their own config.
 */
export async function startLattice(config: LatticeConfig, migrations: Migration[], version: string, modelManifests: ManifestSource[] = []): Promise<RunningLattice> {
  await seedDatabase(config.database, migrations)
  const db = await openDatabase(config.database)
  try {
    const applied = await applyMigrations(db.sql, migrations)
    if (applied.applied.length > 0) console.info(`[lattice] applied migrations: ${applied.applied.join(', ')}`)
    const auth = new AuthService(db)
    const layout = new DataLayout(config.dataDir)
    const queue = new JobQueue(db, [], {
      worker: config.worker,
      // The embedded database is opened by one process only: instances recorded before this start are gone.
      liveness: { exclusiveDatabase: db.kind === 'pglite' },
    })
    const assets = new AssetService(db, layout, queue, config.maxUploadBytes, config.maxOutputBytes)
    queue.register([assetProcessJob(db, assets, layout)])
    const comfy = createComfyServices({ db, assets, layout, queue, generate: { webhookUrl: config.comfy.webhookUrl }, webhook: { secret: config.comfy.webhookSecret } })
    const projects = new ProjectService(db)
    const exporting = createExportServices({ db, queue, assets, projects, layout, ...config.export, templates: comfy.workflows.templates,
      generate: (ownerId, input) => comfy.generations.create(ownerId, input) })
    const ai = await createAiServices({ db, queue, assets, layout, config: config.ai, manifests: modelManifests })
    await bootstrapDatabase(db, { auth, comfyServers: comfy.servers }, config)
    await comfy.pool.start()
    await queue.start()
    const { pool } = comfy
    const services: Services = {
      db, auth, projects, assets, queue, jobs: new JobService(db, queue), exports: exporting.exports, ai: ai.ai,
      generations: comfy.generations, comfyServers: comfy.servers, workflows: comfy.workflows, version,
    }
    let stopping: Promise<void> | null = null
    return {
      services,
      config,
      stop: () => (stopping ??= (async () => {
        await queue.stop()
        await exporting.close()
        await ai.close()
        await pool.close()
        await db.close()
      })()),
    }
  } catch (error) {
    await db.close().catch(() => {})
    throw error
  }
}
