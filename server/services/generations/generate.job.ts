import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Database } from '../../db/connect'
import { downloadOutput, isComfyError, locatePrompt, outputFiles, runPrompt, uploadImage, type ComfyConnection, type RunProgress, type Workflow } from '../../comfy'
import { JobCancelled, JobReleased, type JobDefinition } from '../../jobs/types'
import type { JobQueue } from '../../jobs/queue'
import type { AssetService } from '../assets/assets.service'
import type { DataLayout } from '../../storage/paths'
import { AppError } from '../../../shared/errors'
import { TERMINAL_GENERATION_STATUSES, type GenerationProgress, type GenerationStatus } from '../../../shared/comfy/manifest'
import { noHealthyServer, type GenerationService } from './generations.service'
import { classTypesOf } from './templates'
import type { StoredInputs } from './generation.dto'

/** `promptId` is the run this job was queued for (absent on jobs queued by older versions). */
interface Input { generationId: string; promptId?: string | null }

export interface GenerateJobOptions {
  /** Retries after transient faults (server down, 5xx, ComfyUI restarted and lost the prompt). */
  retryLimit?: number
  retryDelaySeconds?: number
  concurrency?: number
  /** How often a running generation looks for a cancel made elsewhere, and a full queue for a free slot. */
  checkIntervalMs?: number
  /** At most one preview image per this interval is stored. */
  previewIntervalMs?: number
  /** `/history` + `/queue` polling of a run (a safety net for missed socket events). */
  pollIntervalMs?: number
  /** Sends the signed webhook (the `comfy.webhook` job). */
  webhookUrl?: string
}

/** A final failure: marked on the generation and never retried by the job system. */
export class GenerationFailed extends AppError {
  readonly transient = false
  constructor(message: string, readonly kind: string) {
    super('BAD_REQUEST', message, { kind })
    this.name = 'GenerationFailed'
  }
}

/** A fault worth another try later; `transient` lets the job system retry it with back-off. */
export class GenerationRetry extends Error {
  readonly transient = true
  constructor(message: string, readonly kind: string) {
    super(message)
    this.name = 'GenerationRetry'
  }
}

class Detached extends Error {
  constructor() {
    super('This server stopped following the generation; another run resumes it.')
  }
}

const ENOSPC = /ENOSPC|no space left on device/i

/**
 * Runs one generation on ComfyUI: picks a server (or re-attaches to the prompt it was given
 * before a restart), uploads the input pictures, queues the workflow under our own prompt id,
 * streams progress and previews into the generation's log, and turns the outputs into assets.
 */
export function comfyGenerateJob(db: Database, service: GenerationService, assets: AssetService, layout: DataLayout, queue: () => Pick<JobQueue, 'enqueue'>, options: GenerateJobOptions = {}): JobDefinition<Input> {
  const retryLimit = options.retryLimit ?? 4
  const checkMs = options.checkIntervalMs ?? 1000
  const { pool, events } = service

  return {
    kind: 'comfy.generate',
    retryLimit,
    retryDelaySeconds: options.retryDelaySeconds ?? 5,
    expireInSeconds: 2 * 3600,
    concurrency: options.concurrency ?? 8,
    async run(ctx) {
      const id = ctx.input.generationId
      const initial = await db.prisma.generation.findUnique({ where: { id } })
      if (!initial || TERMINAL_GENERATION_STATUSES.includes(initial.status as GenerationStatus)) return { skipped: true }
      const willRetry = ctx.attempt <= retryLimit
      const cancel = new AbortController()
      const detach = new AbortController()
      const isCancelled = async () => (await db.prisma.generation.findUnique({ where: { id }, select: { status: true } }))?.status === 'cancelled'
      // Released (this process stops, or lost the database): stop following at once, touching nothing.
      const onStop = () => ctx.signal.reason instanceof JobReleased
        ? detach.abort()
        : void isCancelled().then((cancelled) => (cancelled ? cancel : detach).abort(), () => detach.abort())
      ctx.signal.addEventListener('abort', onStop, { once: true })
      const watcher = setInterval(() => void isCancelled().then((c) => { if (c) cancel.abort() }, () => {}), checkMs)
      const stopped = () => cancel.signal.aborted || detach.signal.aborted
      // Every write below is about this run only: once the user retries, a late report from this
      // one (cancelled, failed, queued again) must not touch the new run.
      const run = { promptId: initial.promptId }
      const thisRun = initial.promptId ? { promptId: initial.promptId } : { OR: [{ promptId: null }, { promptId: id }] }

      try {
        await waitWhilePaused(service, stopped, checkMs)
        await db.prisma.generation.update({ where: { id }, data: { attempts: ctx.attempt } })
        let serverId = initial.serverId
        const promptId = initial.promptId ?? initial.id
        let attach = false
        if (serverId && initial.promptId) {
          const connection = await pool.connection(serverId).catch(() => undefined)
          if (connection) {
            const location = await locatePrompt(connection.http, promptId).catch((error: unknown) => { throw asRetry(error) })
            attach = location.where !== 'absent'
            if (attach) await ctx.log(`Re-attaching to prompt ${promptId}, found in ComfyUI's ${location.where === 'history' ? 'history' : 'queue'}.`)
          }
          if (!attach) serverId = null
        }
        const workflow = initial.workflow as Workflow
        if (!serverId) {
          serverId = await claimServer(db, service, id, promptId, classTypesOf(workflow), ctx.attempt, () => {
            if (cancel.signal.aborted) throw new JobCancelled()
            if (detach.signal.aborted) throw new Detached()
          }, checkMs)
        } else if (attach && initial.status === 'queued') {
          // Queued again after a fault, but ComfyUI still has it: it is dispatched.
          await events.append(id, { type: 'status', status: 'dispatched', attempt: ctx.attempt, serverId })
          await db.prisma.generation.updateMany({ where: { id, status: 'queued' }, data: { status: 'dispatched', error: null, errorKind: null } })
        }
        if (stopped()) throw cancel.signal.aborted ? new JobCancelled() : new Detached()
        const server = await db.prisma.comfyServer.findUnique({ where: { id: serverId } })
        const connection = await pool.connection(serverId)
        const toRun = attach ? workflow : await withInputs(connection, assets, initial.ownerId, workflow, initial.inputs as unknown as StoredInputs, cancel.signal)

        const reporter = new ProgressReporter(service, id, ctx.attempt, options.previewIntervalMs ?? 1000)
        const startedAt = initial.startedAt ?? new Date()
        const elapsed = initial.startedAt ? Date.now() - initial.startedAt.getTime() : 0
        const outcome = await runPrompt(connection, toRun, {
          promptId,
          attach,
          // A prompt ComfyUI already accepted is not checked again.
          validate: !attach,
          signal: cancel.signal,
          detach: detach.signal,
          timeoutMs: Math.max(1000, initial.timeoutSeconds * 1000 - elapsed),
          pollIntervalMs: options.pollIntervalMs,
          onProgress: (progress) => reporter.progress(progress, startedAt),
          onPreview: (preview) => reporter.preview(preview.image, preview.mime, preview.nodeId),
          onLog: (message, level) => void ctx.log(message, level).catch(() => {}),
        })
        await reporter.flush()
        switch (outcome.status) {
          case 'detached': throw new Detached()
          case 'cancelled': throw new JobCancelled()
          case 'lost': {
            const name = server?.name ?? 'The ComfyUI server'
            throw new GenerationRetry(willRetry
              ? `${name} no longer knows this generation (ComfyUI restarted, or the prompt was deleted there); it is queued again.`
              : `${name} lost this generation ${ctx.attempt} times (ComfyUI restarted, or the prompt was deleted there) and it was not queued again. Check the server, then retry.`, 'lost')
          }
          case 'failed': {
            if (await isCancelled()) throw new JobCancelled()
            throw new GenerationFailed(outcome.error.message, outcome.error.kind)
          }
          case 'succeeded': {
            const outputNodes = initial.outputNodes as string[]
            const chosen = Object.fromEntries(Object.entries(outcome.outputs).filter(([node]) => outputNodes.length === 0 || outputNodes.includes(node)))
            const files = outputFiles(chosen)
            if (files.length === 0) throw new GenerationFailed('ComfyUI finished, but the output nodes produced no files. Check that the workflow saves its result (SaveImage, SaveAnimatedWEBP, …).', 'output_missing')
            const assetIds: string[] = []
            for (const [index, file] of files.entries()) {
              if (stopped()) throw cancel.signal.aborted ? new JobCancelled() : new Detached()
              assetIds.push(await storeOutput(connection, assets, service, layout, initial.ownerId, id, index, file, cancel.signal))
            }
            if (stopped()) throw cancel.signal.aborted ? new JobCancelled() : new Detached()
            await service.finish(id, 'succeeded', { outputs: assetIds }, ctx.attempt, run)
            await notify(db, queue, id, initial.ownerId, options.webhookUrl)
            return { generationId: id, assetIds }
          }
        }
      } catch (error) {
        if (cancel.signal.aborted || (error instanceof JobCancelled && await isCancelled())) {
          await service.finish(id, 'cancelled', { error: 'Cancelled.', errorKind: 'cancelled' }, ctx.attempt, run)
          throw new JobCancelled()
        }
        // This process stops following it (the queue is stopping): another run picks it up.
        if (error instanceof Detached || error instanceof JobCancelled || detach.signal.aborted) throw new Detached()
        const retry = error instanceof GenerationRetry ? error : isTransient(error) ? asRetry(error) : undefined
        if (retry && willRetry) {
          await events.append(id, { type: 'status', status: 'queued', attempt: ctx.attempt, error: retry.message })
          await db.prisma.generation.updateMany({ where: { id, status: { notIn: [...TERMINAL_GENERATION_STATUSES] }, ...thisRun }, data: { status: 'queued', error: retry.message, errorKind: retry.kind } })
          throw retry
        }
        const kind = retry?.kind ?? (error instanceof GenerationFailed ? error.kind : isComfyError(error) ? error.kind : (error as AppError).details?.kind as string | undefined) ?? 'error'
        const message = (error as Error).message
        if (await service.finish(id, 'failed', { error: message, errorKind: kind }, ctx.attempt, run)) await notify(db, queue, id, initial.ownerId, options.webhookUrl)
        throw new GenerationFailed(message, kind)
      } finally {
        clearInterval(watcher)
        ctx.signal.removeEventListener('abort', onStop)
      }
    },
    async onSettledUnsuccessfully(input, status, error) {
      const row = await db.prisma.generation.findUnique({ where: { id: input.generationId }, select: { attempts: true, ownerId: true } })
      if (!row) return
      const changed = await service.finish(input.generationId, status, { error: status === 'cancelled' ? 'Cancelled.' : error, errorKind: status === 'cancelled' ? 'cancelled' : 'error' }, row.attempts, input.promptId !== undefined ? { promptId: input.promptId } : undefined)
      if (changed && status === 'failed') await notify(db, queue, input.generationId, row.ownerId, options.webhookUrl)
    },
  }
}


function isTransient(error: unknown): boolean {
  return (error as { transient?: unknown } | null)?.transient === true
}

function asRetry(error: unknown): GenerationRetry {
  if (error instanceof GenerationRetry) return error
  const kind = isComfyError(error) ? error.kind : ((error as AppError).details?.kind as string | undefined) ?? 'unreachable'
  return new GenerationRetry((error as Error).message, kind)
}

async function waitWhilePaused(service: GenerationService, stopped: () => boolean, checkMs: number): Promise<void> {
  while (!stopped() && (await service.pausedBecause())) await sleep(checkMs)
}

/**
 * Chooses the least-loaded healthy server that has every node type, under its maxConcurrent,
 * and records the choice in one transaction (serialised across instances by an advisory lock).
 * Waits while every capable server is full.
 */
async function claimServer(db: Database, service: GenerationService, id: string, promptId: string, classTypes: string[], attempt: number, throwIfStopped: () => void, checkMs: number): Promise<string> {
  const { pool } = service
  for (;;) {
    throwIfStopped()
    await pool.sync()
    const servers = pool.enabledServers()
    if (servers.length === 0) throw new GenerationRetry('No ComfyUI server is enabled. An admin adds or enables one in Settings → ComfyUI servers.', 'no_server')
    await pool.refreshHealth()
    const healthy = servers.filter((s) => pool.health(s.id)?.reachable)
    if (healthy.length === 0) throw asRetry(noHealthyServer(servers.map((s) => ({ name: s.name, health: pool.health(s.id) }))))
    const capable: typeof healthy = []
    const lacking: string[] = []
    for (const server of healthy) {
      const connection = await pool.connection(server.id)
      let info = await connection.objectInfo.get()
      if (classTypes.some((c) => !info[c])) info = await connection.objectInfo.refresh()
      const missing = classTypes.filter((c) => !info[c])
      if (missing.length === 0) capable.push(server)
      else lacking.push(`${server.name} lacks ${missing.join(', ')}`)
    }
    if (capable.length === 0) {
      const message = `No ComfyUI server has every node type this workflow needs (${lacking.join('; ')}). Install the missing custom nodes on a server, or use another workflow.`
      if (healthy.length === servers.length) throw new GenerationFailed(message, 'missing_node')
      throw new GenerationRetry(message, 'missing_node')
    }
    const chosen = await db.prisma.$transaction(async (tx) => {
      await tx.$queryRawUnsafe('SELECT pg_advisory_xact_lock(72707370)::text AS locked')
      const active = await tx.generation.groupBy({ by: ['serverId'], where: { id: { not: id }, status: { in: ['dispatched', 'running'] }, serverId: { in: capable.map((s) => s.id) } }, _count: { _all: true } })
      const counts = new Map(active.map((a) => [a.serverId, a._count._all]))
      const open = capable
        .map((server) => {
          const ours = counts.get(server.id) ?? 0
          const health = pool.health(server.id)
          const depth = health?.reachable ? health.queueDepth : 0
          return { server, ours, load: Math.max(ours, depth) }
        })
        .filter((c) => c.ours < c.server.maxConcurrent)
        .sort((a, b) => a.load - b.load || a.ours - b.ours)
      const pick = open[0]
      if (!pick) return null
      // Also from "dispatched" or "running": a run that died before ComfyUI had the prompt leaves it so.
      const { count } = await tx.generation.updateMany({ where: { id, status: { notIn: [...TERMINAL_GENERATION_STATUSES] } }, data: { status: 'dispatched', serverId: pick.server.id, promptId, error: null, errorKind: null } })
      if (count === 0) throw new JobCancelled()
      return pick.server.id
    })
    if (chosen) {
      await service.events.append(id, { type: 'status', status: 'dispatched', attempt, serverId: chosen })
      return chosen
    }
    await sleep(checkMs)
  }
}

/** Uploads the input assets and names them in the workflow's LoadImage nodes. */
async function withInputs(connection: ComfyConnection, assets: AssetService, ownerId: string, workflow: Workflow, inputs: StoredInputs, signal: AbortSignal): Promise<Workflow> {
  const copy = structuredClone(workflow)
  for (const input of Object.values(inputs)) {
    const file = await assets.file(ownerId, input.assetId)
    const ext = extname(file.name) || '.png'
    const uploaded = await uploadImage(connection.http, file.path, { filename: `lattice-${file.hash.slice(0, 20)}${ext}`, subfolder: 'lattice', signal })
    const node = copy[input.node]
    if (!node) throw new GenerationFailed(`The workflow has no node #${input.node} for the input picture.`, 'invalid_workflow')
    node.inputs[input.input] = uploaded.ref
  }
  return copy
}

/**
 * Streams one output to storage and ingests it as an asset; a full disk pauses the queue, and an
 * output over LATTICE_MAX_OUTPUT_MB fails the generation (nothing of it is kept).
 */
async function storeOutput(connection: ComfyConnection, assets: AssetService, service: GenerationService, layout: DataLayout, ownerId: string, id: string, index: number, file: { filename: string; subfolder: string; type: string }, signal: AbortSignal): Promise<string> {
  const path = join(layout.tmpDir(), `generation-${id}-${index}${extname(file.filename)}`)
  try {
    await downloadOutput(connection.http, file, () => path, { signal, maxBytes: assets.maxOutputBytes })
    const { asset } = await assets.ingest(ownerId, createReadStream(path), file.filename, 'output')
    return asset.id
  } catch (error) {
    if (isComfyError(error) && error.kind === 'output_too_large') {
      throw new GenerationFailed(`${error.message} Raise LATTICE_MAX_OUTPUT_MB, or make the workflow's result smaller (fewer frames, lower resolution or bitrate).`, 'output_too_large')
    }
    const message = (error as Error).message
    if (ENOSPC.test(message) || (error as { code?: string }).code === 'ENOSPC') {
      const reason = `Storage is full: the result of generation ${id} could not be written to the data folder. Free disk space, then resume the queue in Settings → ComfyUI servers.`
      await service.pause(reason)
      throw new GenerationRetry(reason, 'storage_full')
    }
    throw error
  } finally {
    await rm(path, { force: true })
  }
}

async function notify(db: Database, queue: () => Pick<JobQueue, 'enqueue'>, generationId: string, ownerId: string, globalUrl?: string): Promise<void> {
  const row = await db.prisma.generation.findUnique({ where: { id: generationId }, select: { webhookUrl: true } })
  const url = row?.webhookUrl ?? globalUrl
  if (!url) return
  await queue().enqueue('comfy.webhook', { ownerId, input: { generationId, url } }).catch((e: Error) => console.error('[comfy] could not queue the webhook:', e.message))
}

/** Folds run progress into the generation: throttled writes in order, previews as data URLs. */
class ProgressReporter {
  private chain: Promise<void> = Promise.resolve()
  private running = false
  private last?: GenerationProgress
  private lastWrite = 0
  private lastPreview = 0

  constructor(private readonly service: GenerationService, private readonly id: string, private readonly attempt: number, private readonly previewIntervalMs: number) {}

  progress(progress: RunProgress, startedAt: Date): void {
    const next: GenerationProgress = { node: progress.node, classType: progress.classType, step: progress.step?.value, max: progress.step?.max, fraction: progress.fraction, ahead: progress.ahead }
    const becameRunning = progress.state !== 'pending' && !this.running
    const changedNode = next.node !== this.last?.node
    const now = Date.now()
    const lastStep = progress.step !== undefined && progress.step.value >= progress.step.max
    if (!becameRunning && !changedNode && !lastStep && now - this.lastWrite < 200 && progress.state !== 'finished') return
    this.last = next
    this.lastWrite = now
    if (becameRunning) this.running = true
    this.enqueue(async () => {
      const { db, events } = this.internals()
      if (becameRunning) {
        await events.append(this.id, { type: 'status', status: 'running', attempt: this.attempt })
        await db.prisma.generation.updateMany({ where: { id: this.id, status: { in: ['queued', 'dispatched', 'running'] } }, data: { status: 'running', startedAt } })
      }
      await events.append(this.id, { type: 'progress', progress: next })
      await db.prisma.generation.updateMany({ where: { id: this.id, status: { in: ['queued', 'dispatched', 'running'] } }, data: { progress: next } })
    })
  }

  preview(image: Buffer, mime: string, node?: string): void {
    const now = Date.now()
    if (now - this.lastPreview < this.previewIntervalMs || image.length > 256 * 1024) return
    this.lastPreview = now
    const dataUrl = `data:${mime};base64,${image.toString('base64')}`
    this.enqueue(async () => { await this.internals().events.append(this.id, { type: 'preview', node, dataUrl }) })
  }

  flush(): Promise<void> {
    return this.chain
  }

  private enqueue(work: () => Promise<void>): void {
    this.chain = this.chain.then(work).catch((error: Error) => console.error('[comfy] progress write failed:', error.message))
  }

  private internals() {
    return { db: this.service.db, events: this.service.events }
  }
}
