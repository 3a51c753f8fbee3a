import sharp from 'sharp'
import { Readable } from 'node:stream'
import type { Database } from '../../server/db/connect'
import { JobQueue } from '../../server/jobs/queue'
import { AssetService } from '../../server/services/assets/assets.service'
import { assetProcessJob } from '../../server/services/assets/process.job'
import { createComfyServices } from '../../server/services/generations'
import type { GenerateJobOptions } from '../../server/services/generations/generate.job'
import type { GenerationService } from '../../server/services/generations/generations.service'
import type { ComfyPool } from '../../server/services/generations/pool'
import type { ComfyServerService } from '../../server/services/generations/servers.service'
import type { WorkflowService } from '../../server/services/generations/workflows.service'
import { DataLayout } from '../../server/storage/paths'
import type { JobEventEnvelope } from '../../shared/jobs'
import { ComfyStandIn } from '../comfy/stand-in/server'

/** Every model file the shipped templates name, so they validate against the stand-in. */
export const MODELS = {
  checkpoints: ['sd15.safetensors', 'sdxl_base.safetensors'],
  controlnet: ['control_v11f1p_sd15_depth.pth'],
  diffusion_models: ['wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors', 'wan2.1_fun_control_1.3B_bf16.safetensors'],
  text_encoders: ['umt5_xxl_fp8_e4m3fn_scaled.safetensors'],
  vae: ['wan_2.1_vae.safetensors'],
  clip_vision: ['clip_vision_h.safetensors'],
}

export function startStandIn(): Promise<ComfyStandIn> {
  return ComfyStandIn.start({ models: structuredClone(MODELS) })
}

export interface Lattice {
  db: Database
  service: GenerationService
  servers: ComfyServerService
  workflows: WorkflowService
  queue: JobQueue
  pool: ComfyPool
  assets: AssetService
  stop(): Promise<void>
}

/** What start.ts wires, with quick retries and polling for tests. */
export async function startLattice(db: Database, dataDir: string, options: GenerateJobOptions & { webhookSecret?: string; worker?: boolean; maxOutputBytes?: number } = {}): Promise<Lattice> {
  const layout = new DataLayout(dataDir)
  const queue = new JobQueue(db, [], { pollingIntervalSeconds: 0.5, worker: options.worker })
  const assets = new AssetService(db, layout, queue, 50 * 1024 * 1024, options.maxOutputBytes)
  queue.register([assetProcessJob(db, assets, layout)])
  const comfy = createComfyServices({
    db, assets, layout, queue,
    pool: { healthIntervalMs: 0, httpTimeoutMs: 5000, socketBackoff: { initialMs: 20, maxMs: 200, factor: 2 } },
    generate: { retryLimit: 3, retryDelaySeconds: 1, busyRetryMs: 100, pollIntervalMs: 100, previewIntervalMs: 0, ...options },
    webhook: { secret: options.webhookSecret, retryDelaySeconds: 1 },
  })
  await comfy.pool.start()
  await queue.start()
  let stopped = false
  return {
    db, service: comfy.generations, servers: comfy.servers, workflows: comfy.workflows, queue, pool: comfy.pool, assets,
    async stop() {
      if (stopped) return
      stopped = true
      await queue.stop()
      await comfy.pool.close()
    },
  }
}

/** Replaces the configured servers with these stand-ins; returns their server ids in order. */
export async function useServers(db: Database, lattice: Pick<Lattice, 'servers'>, standIns: ComfyStandIn[], maxConcurrent = 1): Promise<string[]> {
  await db.prisma.comfyServer.deleteMany()
  const ids: string[] = []
  for (const [index, standIn] of standIns.entries()) ids.push(await lattice.servers.add({ name: `gpu-${index + 1}`, url: standIn.url, maxConcurrent }))
  return ids
}

/** The generation's job's events, from the first, until it ends. */
async function* eventsOf(lattice: Pick<Lattice, 'db' | 'queue'>, id: string): AsyncGenerator<JobEventEnvelope> {
  const { jobId } = await lattice.db.prisma.generation.findUniqueOrThrow({ where: { id }, select: { jobId: true } })
  yield* lattice.queue.events.watch(jobId, 0)
}

/** Every event of a generation until it ends. */
export async function settle(lattice: Pick<Lattice, 'db' | 'queue'>, id: string): Promise<JobEventEnvelope[]> {
  const events: JobEventEnvelope[] = []
  for await (const envelope of eventsOf(lattice, id)) events.push(envelope)
  return events
}

/** Resolves once the generation's log has an event matching `test`. */
export async function eventMatching(lattice: Pick<Lattice, 'db' | 'queue'>, id: string, test: (e: JobEventEnvelope) => boolean): Promise<JobEventEnvelope> {
  for await (const envelope of eventsOf(lattice, id)) if (test(envelope)) return envelope
  throw new Error(`generation ${id} ended without the awaited event`)
}

export const statusesOf = (events: JobEventEnvelope[]) => events.flatMap((e) => (e.event.type === 'status' ? [e.event.status] : []))

export async function pngStream(width = 64, height = 48): Promise<Readable> {
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 90 } } }).png().toBuffer()
  return Readable.from([png])
}
