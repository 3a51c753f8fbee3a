import sharp from 'sharp'
import { Readable } from 'node:stream'
import type { Database } from '../../server/db/connect'
import { JobQueue } from '../../server/jobs/queue'
import { AssetService } from '../../server/services/assets/assets.service'
import { assetProcessJob } from '../../server/services/assets/process.job'
import { GenerationEventLog } from '../../server/services/generations/events'
import { comfyGenerateJob, type GenerateJobOptions } from '../../server/services/generations/generate.job'
import { GenerationService } from '../../server/services/generations/generations.service'
import { ComfyPool } from '../../server/services/generations/pool'
import { TemplateRegistry } from '../../server/services/generations/templates'
import { comfyWebhookJob } from '../../server/services/generations/webhook.job'
import { DataLayout } from '../../server/storage/paths'
import type { GenerationEventEnvelope } from '../../shared/comfy/manifest'
import { ComfyStandIn } from '../comfy/stand-in/server'

/** Every model file the shipped templates name, so they validate against the stand-in. */
export const MODELS = {
  checkpoints: ['sd15.safetensors', 'sdxl_base.safetensors'],
  controlnet: ['control_v11f1p_sd15_depth.pth'],
  diffusion_models: ['wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors'],
  text_encoders: ['umt5_xxl_fp8_e4m3fn_scaled.safetensors'],
  vae: ['wan_2.1_vae.safetensors'],
  clip_vision: ['clip_vision_h.safetensors'],
}

export function startStandIn(): Promise<ComfyStandIn> {
  return ComfyStandIn.start({ models: structuredClone(MODELS) })
}

export interface Lattice {
  service: GenerationService
  queue: JobQueue
  pool: ComfyPool
  assets: AssetService
  stop(): Promise<void>
}

/** What start.ts wires, with quick retries and polling for tests. */
export async function startLattice(db: Database, dataDir: string, options: GenerateJobOptions & { webhookSecret?: string; worker?: boolean; maxOutputBytes?: number } = {}): Promise<Lattice> {
  const layout = new DataLayout(dataDir)
  const holder: { queue?: JobQueue } = {}
  const assets = new AssetService(db, layout, { enqueue: (...a) => holder.queue!.enqueue(...a) }, 50 * 1024 * 1024, options.maxOutputBytes)
  const pool = new ComfyPool(db, { healthIntervalMs: 0, httpTimeoutMs: 5000, socketBackoff: { initialMs: 20, maxMs: 200, factor: 2 } })
  const service = new GenerationService(db, pool, new TemplateRegistry(db), new GenerationEventLog(db, 200), { enqueue: (...a) => holder.queue!.enqueue(...a), cancel: (id) => holder.queue!.cancel(id) }, assets)
  const queue = new JobQueue(db, [
    assetProcessJob(db, assets, layout),
    comfyGenerateJob(db, service, assets, layout, () => holder.queue!, { retryLimit: 3, retryDelaySeconds: 1, checkIntervalMs: 100, pollIntervalMs: 100, previewIntervalMs: 0, ...options }),
    comfyWebhookJob(db, { secret: options.webhookSecret, retryDelaySeconds: 1 }),
  ], { pollingIntervalSeconds: 0.5, worker: options.worker })
  holder.queue = queue
  await pool.start()
  await queue.start()
  let stopped = false
  return {
    service, queue, pool, assets,
    async stop() {
      if (stopped) return
      stopped = true
      await queue.stop()
      await pool.close()
    },
  }
}

/** Replaces the configured servers with these stand-ins; returns their server ids in order. */
export async function useServers(db: Database, service: GenerationService, standIns: ComfyStandIn[], maxConcurrent = 1): Promise<string[]> {
  await db.prisma.comfyServer.deleteMany()
  const ids: string[] = []
  for (const [index, standIn] of standIns.entries()) ids.push(await service.addServer({ name: `gpu-${index + 1}`, url: standIn.url, maxConcurrent }))
  return ids
}

/** Every event of a generation until it ends. */
export async function settle(service: GenerationService, id: string): Promise<GenerationEventEnvelope[]> {
  const events: GenerationEventEnvelope[] = []
  for await (const envelope of service.events.watch(id, 0)) events.push(envelope)
  return events
}

/** Resolves once the generation's log has an event matching `test`. */
export async function eventMatching(service: GenerationService, id: string, test: (e: GenerationEventEnvelope) => boolean): Promise<GenerationEventEnvelope> {
  for await (const envelope of service.events.watch(id, 0)) if (test(envelope)) return envelope
  throw new Error(`generation ${id} ended without the awaited event`)
}

export const statusesOf = (events: GenerationEventEnvelope[]) => events.flatMap((e) => (e.event.type === 'status' ? [e.event.status] : []))

export async function pngStream(width = 64, height = 48): Promise<Readable> {
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 90 } } }).png().toBuffer()
  return Readable.from([png])
}
