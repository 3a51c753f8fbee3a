import { tracked } from '@trpc/server'
import { z } from 'zod'
import { publicProcedure, router } from '~~/server/trpc/init'
import type { JobEvent, JobEventEnvelope } from '~~/shared/jobs'
import type { GenerationInfo } from '~/composables/api'

export const GENERATION_ID = '5b1e7c8a-2f4d-4a9b-8c3e-6d7f8a9b0c1d'
export const JOB_ID = '9d8c7b6a-5e4f-4a3b-9c2d-1e0f9a8b7c6d'

/** A generation as the generations service lists it: queued, nothing run yet. */
export function queuedGeneration(changes: Partial<GenerationInfo> = {}): GenerationInfo {
  return {
    id: GENERATION_ID, templateId: 'text-to-image', templateName: 'Text to image',
    params: { prompt: 'a lighthouse on a cliff at dusk' }, inputs: {},
    status: 'queued', serverId: null, promptId: null, progress: { fraction: 0 },
    error: null, errorKind: null, attempts: 0, timeoutSeconds: 600, outputs: [], webhookUrl: null,
    jobId: JOB_ID, queuedAt: new Date('2026-03-01T10:00:00Z'), startedAt: null, finishedAt: null, durationMs: null,
    ...changes,
  }
}

/**
 * A job's event log as `jobs.watch` streams it: the test appends events (`emit`) and ends the
 * stream (`end`); the subscription yields each as it is appended, tracked by sequence id like
 * the real procedure, so a test sees the stores between two events.
 */
function jobLog(jobId: string) {
  const pending: (JobEvent | null)[] = []
  let wake: (() => void) | null = null
  let sequence = 0
  const waitForMore = (signal?: AbortSignal) => new Promise<void>((resolve) => {
    wake = resolve
    signal?.addEventListener('abort', () => resolve(), { once: true })
  })
  return {
    emit(...events: JobEvent[]) {
      pending.push(...events)
      wake?.()
    },
    end() {
      pending.push(null)
      wake?.()
    },
    async *watch(signal?: AbortSignal) {
      while (!signal?.aborted) {
        const event = pending.shift()
        if (event === null) return
        if (event === undefined) {
          await waitForMore(signal)
          continue
        }
        sequence++
        const envelope: JobEventEnvelope = { id: sequence, jobId, at: new Date().toISOString(), event }
        yield tracked(String(sequence), envelope)
      }
    },
  }
}

/**
 * `comfy.generations.list`/`get` over one generation and `jobs.watch` over its job. `record` is
 * what the generations service would answer now (a test moves it on as the job ends).
 */
export function generationsServer(initial: GenerationInfo = queuedGeneration()) {
  const job = jobLog(initial.jobId)
  const state = { record: initial, watches: 0, held: null as Promise<void> | null }
  const trpc = router({
    comfy: router({
      generations: router({
        list: publicProcedure.input(z.object({ limit: z.number().optional() }).optional()).query(() => ({ items: [state.record], nextCursor: null })),
        get: publicProcedure.input(z.object({ id: z.string() })).query(async () => {
          await state.held
          return state.record
        }),
      }),
    }),
    jobs: router({
      watch: publicProcedure
        .input(z.object({ jobId: z.string(), lastEventId: z.string().nullish() }))
        .subscription(async function* ({ signal }) {
          state.watches++
          yield* job.watch(signal)
        }),
    }),
  })
  /** `comfy.generations.get` answers only once the returned function is called. */
  function holdReloads(): () => void {
    let release!: () => void
    state.held = new Promise((resolve) => { release = resolve })
    return () => { state.held = null; release() }
  }
  return { trpc, job, state, holdReloads }
}
