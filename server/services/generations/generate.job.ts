import type { Database } from '../../db/connect'
import { locatePrompt, outputFiles, runPrompt, type Workflow } from '../../comfy'
import { JobCancelled, JobDeferred, JobReleased, type JobDefinition } from '../../jobs/types'
import type { AssetService } from '../assets/assets.service'
import type { DataLayout } from '../../storage/paths'
import type { ServerCapacity } from './capacity'
import { errorKindOf } from '../../jobs/errors'
import { GenerationFailed, GenerationRetry, asRetry, isTransient } from './failures'
import type { StoredInputs } from './generation.dto'
import type { GenerationPause } from './pause'
import type { ComfyPool } from './pool'
import { ProgressReporter } from './progress-reporter'
import { classTypesOf } from './templates'
import { storeOutput, withInputs } from './transfers'

/** `webhookUrl`: the generation's own, told when it ends (kept here so ending it needs no lookup). */
interface Input { generationId: string; webhookUrl?: string | null }

/** What a generation's run needs, passed in rather than reached for. */
export interface GenerateJobDependencies {
  db: Database
  pool: ComfyPool
  capacity: ServerCapacity
  pause: GenerationPause
  assets: AssetService
  layout: DataLayout
  /** Queues the signed webhook (the `comfy.webhook` job). */
  queueWebhook(args: { ownerId: string; generationId: string; url: string }): Promise<unknown>
}

export interface GenerateJobOptions {
  /** Retries after transient faults (server down, 5xx, ComfyUI restarted and lost the prompt). */
  retryLimit?: number
  retryDelaySeconds?: number
  concurrency?: number
  /** How soon a generation put back because every capable server was busy is looked at again. */
  busyRetryMs?: number
  /** At most one preview image per this interval is stored. */
  previewIntervalMs?: number
  /** `/history` + `/queue` polling of a run (a safety net for missed socket events). */
  pollIntervalMs?: number
  /** LATTICE_COMFY_WEBHOOK_URL: told of every generation that ends (a generation can name its own). */
  webhookUrl?: string
}

export { GenerationFailed, GenerationRetry }

function outputsOf(result: Record<string, unknown> | null): string[] {
  return Array.isArray(result?.outputs) ? result.outputs.map(String) : []
}

class Detached extends Error {
  constructor() {
    super('This server stopped following the generation; another run resumes it.')
  }
}

/**
 * Runs one generation on ComfyUI: picks a server (or re-attaches to the prompt it was given
 * before a restart), uploads the input pictures, queues the workflow under our own prompt id,
 * streams progress and previews into the job's log, and turns the outputs into assets. It runs
 * only when a server has room (`startable`); one that finds every capable server busy after all
 * goes back to the queue in its place instead of waiting in a worker slot.
 */
export function comfyGenerateJob(deps: GenerateJobDependencies, options: GenerateJobOptions = {}): JobDefinition<Input> {
  const { db, pool, capacity, pause, assets, layout } = deps
  const retryLimit = options.retryLimit ?? 4

  return {
    kind: 'comfy.generate',
    lifecycle: 'remote',
    retryLimit,
    retryDelaySeconds: options.retryDelaySeconds ?? 5,
    expireInSeconds: 2 * 3600,
    // Runs wait on ComfyUI, not on this process; how many start is bounded by the servers' places.
    concurrency: options.concurrency ?? 32,
    startable: (runningHere) => capacity.startable(runningHere),
    async run(ctx) {
      const id = ctx.input.generationId
      const generation = await db.prisma.generation.findUnique({ where: { id } })
      if (!generation) return { skipped: 'deleted' }
      const willRetry = ctx.attempt <= retryLimit
      const cancel = new AbortController()
      const detach = new AbortController()
      // Released (this process stops, or lost the database): stop following at once, touching nothing.
      const onStop = () => (ctx.signal.reason instanceof JobReleased ? detach : cancel).abort()
      if (ctx.signal.aborted) onStop()
      ctx.signal.addEventListener('abort', onStop, { once: true })
      const stopped = () => cancel.signal.aborted || detach.signal.aborted
      let placed = false
      const throwIfStopped = () => { if (stopped()) throw cancel.signal.aborted ? new JobCancelled() : new Detached() }

      try {
        let serverId = generation.serverId
        const promptId = generation.promptId ?? generation.id
        let attach = false
        if (serverId && generation.promptId) {
          const connection = await pool.connection(serverId).catch(() => undefined)
          if (connection) {
            const location = await locatePrompt(connection.http, promptId).catch((error: unknown) => { throw asRetry(error) })
            attach = location.where !== 'absent'
            if (attach) await ctx.log(`Re-attaching to prompt ${promptId}, found in ComfyUI's ${location.where === 'history' ? 'history' : 'queue'}.`)
          }
          if (!attach) serverId = null
        }
        const workflow = generation.workflow as Workflow
        if (!serverId) {
          serverId = await capacity.claim({ generationId: id, jobId: ctx.jobId, runId: ctx.runId, promptId, classTypes: classTypesOf(workflow) })
          if (!serverId) throw new JobDeferred('Every ComfyUI server that can run this generation is busy.', options.busyRetryMs ?? 500)
          placed = true
        } else {
          capacity.hold()
          placed = true
        }
        if (attach && ctx.status === 'queued') {
          // Queued again after a fault, but ComfyUI still has it: it is placed already.
          await ctx.setStatus('dispatched', { serverId })
        }
        throwIfStopped()
        const connection = await pool.connection(serverId)
        const toRun = attach ? workflow : await withInputs(connection, assets, generation.ownerId, workflow, generation.inputs as unknown as StoredInputs, cancel.signal)

        const reporter = new ProgressReporter(ctx, options.previewIntervalMs ?? 1000)
        // A resumed run keeps the time limit of the whole generation.
        const elapsed = ctx.attempt > 1 ? Date.now() - ctx.startedAt.getTime() : 0
        const outcome = await runPrompt(connection, toRun, {
          promptId,
          attach,
          // A prompt ComfyUI already accepted is not checked again.
          validate: !attach,
          signal: cancel.signal,
          detach: detach.signal,
          timeoutMs: Math.max(1000, generation.timeoutSeconds * 1000 - elapsed),
          pollIntervalMs: options.pollIntervalMs,
          onProgress: (progress) => reporter.progress(progress),
          onPreview: (preview) => reporter.preview(preview.image, preview.mime, preview.nodeId),
          onLog: (message, level) => void ctx.log(message, level).catch(() => {}),
        })
        await reporter.flush()
        switch (outcome.status) {
          case 'detached': throw new Detached()
          case 'cancelled': throw new JobCancelled()
          case 'lost': {
            const server = pool.server(serverId)
            const name = server?.name ?? 'The ComfyUI server'
            throw new GenerationRetry(willRetry
              ? `${name} no longer knows this generation (ComfyUI restarted, or the prompt was deleted there); it is queued again.`
              : `${name} lost this generation ${ctx.attempt} times (ComfyUI restarted, or the prompt was deleted there) and it was not queued again. Check the server, then retry.`, 'lost')
          }
          case 'failed': throw new GenerationFailed(outcome.error.message, outcome.error.kind)
          case 'succeeded': {
            const outputNodes = generation.outputNodes as string[]
            const chosen = Object.fromEntries(Object.entries(outcome.outputs).filter(([node]) => outputNodes.length === 0 || outputNodes.includes(node)))
            const files = outputFiles(chosen)
            if (files.length === 0) throw new GenerationFailed('ComfyUI finished, but the output nodes produced no files. Check that the workflow saves its result (SaveImage, SaveAnimatedWEBP, …).', 'output_missing')
            const assetIds: string[] = []
            for (const [index, file] of files.entries()) {
              throwIfStopped()
              assetIds.push(await storeOutput(connection, assets, pause, layout, generation.ownerId, id, index, file, cancel.signal))
            }
            throwIfStopped()
            // Recorded with the job's success: the generation's outputs are its job's result.
            return { generationId: id, outputs: assetIds }
          }
        }
      } catch (error) {
        if (error instanceof JobDeferred) throw error
        if (cancel.signal.aborted) throw new JobCancelled()
        // This process stops following it (the queue is stopping): another run picks it up.
        if (error instanceof Detached || detach.signal.aborted) throw new JobReleased((error as Error).message)
        if (error instanceof GenerationRetry || error instanceof GenerationFailed || error instanceof JobCancelled || error instanceof JobReleased) throw error
        if (isTransient(error)) throw asRetry(error)
        // Anything else will not go better on another try: the generation fails, saying why.
        throw new GenerationFailed((error as Error).message, errorKindOf(error) ?? 'error')
      } finally {
        ctx.signal.removeEventListener('abort', onStop)
        if (placed) capacity.release()
      }
    },
    async onSettled(input, status, _error, job, result) {
      // The outputs' thumbnails, deferred so the success is told without waiting for them.
      for (const assetId of outputsOf(result)) await assets.ensureThumbnail(assetId).catch((e: Error) => console.error('[comfy] thumbnail of an output:', e.message))
      const url = input.webhookUrl ?? options.webhookUrl
      if (status === 'cancelled' || !url) return
      await deps.queueWebhook({ ownerId: job.ownerId, generationId: input.generationId, url }).catch((e: Error) => console.error('[comfy] could not queue the webhook:', e.message))
    },
  }
}

