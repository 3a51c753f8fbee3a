/**
 * ComfyUI generations end to end, against in-process ComfyUI stand-ins with no added latency:
 *   dispatch   create → the stand-in has the prompt queued (our queue, job pick-up, server choice, POST /prompt)
 *   completion the stand-in's final `executing {node:null}` → the client's watch stream says succeeded
 *              (history read, output download, asset ingest, events)
 *   throughput generations/s with many queued at once over four stand-ins.
 * Each beside its floor: a bare script sending the same prompt to the same stand-ins (comfy-floor.ts).
 */
import type { LatticeClient } from '../client'
import { ComfyStandIn } from '../tests/comfy/stand-in/server'
import { MODELS } from '../tests/db/generations-harness'
import { measureBareComfy, type BareComfyResult } from './comfy-floor'
import { percentile } from './stats'

export interface GenerationsResult {
  servers: number
  samples: number
  dispatch: { p50: number; p99: number }
  completion: { p50: number; p99: number }
  throughput: { generations: number; seconds: number; perSecond: number; failed: number }
  floor: BareComfyResult
}

async function runOne(lattice: LatticeClient, params: Record<string, number>): Promise<{ id: string; createdAt: number; succeededAt: number; status: string }> {
  const createdAt = performance.now()
  const generation = await lattice.api.comfy.generations.create.mutate({ templateId: 'text-to-image', params })
  let succeededAt = Number.NaN
  const status = await lattice.waitForGeneration(generation, ({ event }) => {
    if (event.type === 'status' && event.status === 'succeeded') succeededAt = performance.now()
  })
  return { id: generation.id, createdAt, succeededAt, status }
}

export async function measureGenerations(options: { lattice: LatticeClient; samples: number; throughputCount: number; servers: number }): Promise<GenerationsResult> {
  const standIns = await Promise.all(Array.from({ length: options.servers }, () => ComfyStandIn.start({ models: structuredClone(MODELS), nodeDelayMs: 0 })))
  try {
    for (const [index, standIn] of standIns.entries()) {
      await options.lattice.api.comfy.servers.add.mutate({ name: `bench-${index + 1}`, url: standIn.url, maxConcurrent: 4 })
    }
    const where = (id: string) => standIns.find((s) => s.queuedAt.has(id))!
    // Warm-up: object_info caches, sockets, the first asset write.
    for (let i = 0; i < 2; i++) await runOne(options.lattice, { steps: 1, seed: i })
    const dispatch: number[] = []
    const completion: number[] = []
    for (let i = 0; i < options.samples; i++) {
      const run = await runOne(options.lattice, { steps: 1, seed: 100 + i })
      const standIn = where(run.id)
      dispatch.push(standIn.queuedAt.get(run.id)! - run.createdAt)
      completion.push(run.succeededAt - standIn.executor.finishedAt.get(run.id)!)
    }
    const start = performance.now()
    const runs = await Promise.all(Array.from({ length: options.throughputCount }, (_, i) => runOne(options.lattice, { steps: 1, seed: 10_000 + i })))
    const seconds = (performance.now() - start) / 1000
    const sent = standIns.flatMap((s) => s.received).find((r) => r.status === 200)
    const floor = await measureBareComfy(standIns, sent!.body.prompt as never, { samples: options.samples, throughputCount: options.throughputCount })
    return {
      floor,
      servers: options.servers,
      samples: options.samples,
      dispatch: { p50: percentile(dispatch, 50), p99: percentile(dispatch, 99) },
      completion: { p50: percentile(completion, 50), p99: percentile(completion, 99) },
      throughput: { generations: runs.length, seconds, perSecond: runs.filter((r) => r.status === 'succeeded').length / seconds, failed: runs.filter((r) => r.status !== 'succeeded').length },
    }
  } finally {
    await Promise.all(standIns.map((s) => s.stop()))
  }
}
