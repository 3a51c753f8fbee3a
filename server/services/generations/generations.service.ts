import { randomUUID } from 'node:crypto'
import type { Database } from '../../db/connect'
import type { SqlExecutor } from '../../db/sql'
import type { JobQueue } from '../../jobs/queue'
import type { AssetService } from '../assets/assets.service'
import { AppError } from '../../../shared/errors'
import { LIMITS } from '../../../shared/limits'
import { isTerminalJobStatus } from '../../../shared/jobs'
import type { JobEventEnvelope } from '../../../shared/jobs'
import type { GenerationCreateInput, GenerationListInput } from '../../../shared/schemas/comfy'
import { applyValues, resolveParams } from '../../../shared/comfy/template-values'
import { noHealthyServer } from './failures'
import { toGenerationInfo, type GenerationInfo, type StoredInputs } from './generation.dto'
import type { ComfyPool } from './pool'
import type { TemplateRegistry, Template } from './templates'

const WITH_JOB = { job: { select: { status: true, progress: true, progressDetail: true, result: true, error: true, errorKind: true, attempts: true, startedAt: true, finishedAt: true } } } as const

/**
 * Generations as users drive them. Each is one `comfy.generate` job for its whole life: the job
 * carries its status, progress and events; the job's handler (generate.job.ts) does the running.
 */
export class GenerationService {
  constructor(
    private readonly db: Database,
    private readonly pool: ComfyPool,
    private readonly templates: TemplateRegistry,
    private readonly queue: Pick<JobQueue, 'enqueue' | 'cancel' | 'retry' | 'events'>,
    private readonly assets: Pick<AssetService, 'get'>,
  ) {}

  async create(ownerId: string, input: GenerationCreateInput): Promise<GenerationInfo> {
    const template = await this.templates.get(ownerId, input.templateId)
    const params = resolveParams(template.manifest, input.params ?? {})
    const inputs = await this.checkInputs(ownerId, template, input.inputs ?? {})
    await this.requireHealthyServer()
    const workflow = applyValues(template.workflow, template.manifest, params)
    const timeoutSeconds = input.timeoutSeconds ?? template.manifest.timeoutSeconds
    const id = randomUUID()
    const data = {
      id, ownerId, templateId: template.id, templateName: template.manifest.name, params, inputs, workflow: workflow as object,
      outputNodes: template.manifest.outputs, timeoutSeconds, webhookUrl: input.webhookUrl ?? null,
    }
    const queuedAt = new Date()
    const job = await this.queue.enqueue('comfy.generate', {
      ownerId,
      input: { generationId: id, ...(data.webhookUrl ? { webhookUrl: data.webhookUrl } : {}) },
      expireInSeconds: leaseFor(timeoutSeconds),
      // Written before any worker can take the job, which reads it.
      prepare: (jobId, sql) => insertGeneration(sql, { ...data, jobId, queuedAt }),
    })
    return toGenerationInfo({
      ...data, serverId: null, promptId: null, jobId: job.id, queuedAt,
      job: { status: 'queued', progress: 0, progressDetail: {}, result: null, error: null, errorKind: null, attempts: 0, startedAt: null, finishedAt: null },
    })
  }

  private async checkInputs(ownerId: string, template: Template, given: Record<string, string>): Promise<StoredInputs> {
    const declared = new Map(template.manifest.inputs.map((i) => [i.name, i]))
    for (const name of Object.keys(given)) {
      if (!declared.has(name)) throw new AppError('BAD_REQUEST', `"${name}" is not an input of "${template.manifest.name}" (it takes: ${[...declared.keys()].join(', ') || 'no pictures'}).`)
    }
    const inputs: StoredInputs = {}
    for (const spec of template.manifest.inputs) {
      const assetId = given[spec.name]
      if (!assetId) {
        if (spec.required) throw new AppError('BAD_REQUEST', `"${template.manifest.name}" needs ${spec.label ?? spec.name}: pick ${withArticle(spec.kind)} from your assets.`)
        continue
      }
      const asset = await this.assets.get(ownerId, assetId)
      if (asset.kind !== spec.kind) throw new AppError('BAD_REQUEST', `${spec.label ?? spec.name} must be ${withArticle(spec.kind)}; "${asset.name}" is ${withArticle(asset.kind)}.`)
      if (asset.status !== 'ready') throw new AppError('CONFLICT', `"${asset.name}" is still being processed; try again in a moment.`)
      inputs[spec.name] = { assetId, node: spec.target.node, input: spec.target.input }
    }
    return inputs
  }

  /**
   * Refuses early when nothing could run the generation, with what to do about it. Health is the
   * pool's (kept current in the background); a server never checked is checked now.
   */
  private async requireHealthyServer(): Promise<void> {
    await this.pool.syncIfStale()
    if (this.pool.enabledServers().some((s) => this.pool.health(s.id)?.reachable)) return
    // None known to be up: read the servers again and ask them now, rather than trust what the pool last heard.
    await this.pool.sync()
    const servers = this.pool.enabledServers()
    if (servers.length === 0) throw new AppError('SERVICE_UNAVAILABLE', 'No ComfyUI server is set up. An admin adds one in Settings → ComfyUI servers (or with LATTICE_COMFY_URLS).')
    await this.pool.refreshHealth()
    if (servers.some((s) => this.pool.health(s.id)?.reachable)) return
    throw noHealthyServer(servers.map((s) => ({ name: s.name, health: this.pool.health(s.id) })))
  }

  async get(ownerId: string, id: string): Promise<GenerationInfo> {
    return toGenerationInfo(await this.findOwned(ownerId, id))
  }

  async list(ownerId: string, input: GenerationListInput) {
    const take = Math.min(input.limit ?? 50, LIMITS.maxListPageSize)
    const rows = await this.db.prisma.generation.findMany({
      where: { ownerId, ...(input.status?.length ? { job: { status: { in: input.status } } } : {}), ...(input.templateId ? { templateId: input.templateId } : {}) },
      include: WITH_JOB,
      orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }],
      take: take + 1,
      ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
    })
    const page = rows.slice(0, take)
    return { items: page.map(toGenerationInfo), nextCursor: rows.length > take ? page.at(-1)!.id : null }
  }

  /** Works in every state: the job first (so nothing new starts), then the prompt on ComfyUI. */
  async cancel(ownerId: string, id: string): Promise<GenerationInfo> {
    const row = await this.findOwned(ownerId, id)
    if (isTerminalJobStatus(row.job.status)) return toGenerationInfo(row)
    await this.queue.cancel(row.jobId)
    if (row.serverId && row.promptId) {
      // The run may be on an instance that stopped: stop the prompt on the server from here too.
      const connection = await this.pool.connection(row.serverId).catch(() => undefined)
      if (connection) await Promise.allSettled([connection.http.deleteFromQueue([row.promptId]), connection.http.interrupt(row.promptId)])
    }
    return this.get(ownerId, id)
  }

  /** Runs a failed or cancelled generation again, under a new prompt id, as the same job. */
  async retry(ownerId: string, id: string): Promise<GenerationInfo> {
    const row = await this.findOwned(ownerId, id)
    if (row.job.status !== 'failed' && row.job.status !== 'cancelled') throw new AppError('CONFLICT', `Only failed or cancelled generations can be retried; this one is ${row.job.status}.`)
    await this.requireHealthyServer()
    // A new prompt id names the new run on ComfyUI; the old one may still be in its history.
    await this.db.prisma.generation.update({ where: { id }, data: { serverId: null, promptId: `${id}-${Date.now().toString(36)}`, queuedAt: new Date() } })
    await this.queue.retry(row.jobId, { expireInSeconds: leaseFor(row.timeoutSeconds) })
    return this.get(ownerId, id)
  }

  /** Removes the record and its job (cancelling it first if it still runs); its output assets stay. */
  async delete(ownerId: string, id: string): Promise<void> {
    const row = await this.findOwned(ownerId, id)
    if (!isTerminalJobStatus(row.job.status)) await this.cancel(ownerId, id)
    await this.db.prisma.job.delete({ where: { id: row.jobId } })
  }

  /** The generation's job events (as `jobs.watch` streams them), addressed by the generation's id. */
  async *watch(ownerId: string, id: string, afterId: number, signal?: AbortSignal): AsyncGenerator<JobEventEnvelope> {
    const row = await this.findOwned(ownerId, id)
    yield* this.queue.events.watch(row.jobId, afterId, signal)
  }

  private async findOwned(ownerId: string, id: string) {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.db.prisma.generation.findFirst({ where: { id, ownerId }, include: WITH_JOB }) : null
    if (!row) throw new AppError('NOT_FOUND', `No generation with id ${id}. It may have been deleted.`)
    return row
  }
}

/** One statement, no ORM on the way: this is on the path of every generation. */
async function insertGeneration(sql: SqlExecutor, row: { id: string; ownerId: string; templateId: string; templateName: string; params: object; inputs: object; workflow: object; outputNodes: string[]; timeoutSeconds: number; webhookUrl: string | null; jobId: string; queuedAt: Date }): Promise<void> {
  await sql.query(`INSERT INTO "Generation" (id, "ownerId", "templateId", "templateName", params, inputs, workflow, "outputNodes", "timeoutSeconds", "webhookUrl", "jobId", "queuedAt")
    VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11, $12::timestamptz AT TIME ZONE 'UTC')`,
  [row.id, row.ownerId, row.templateId, row.templateName, JSON.stringify(row.params), JSON.stringify(row.inputs), JSON.stringify(row.workflow), JSON.stringify(row.outputNodes), row.timeoutSeconds, row.webhookUrl, row.jobId, row.queuedAt.toISOString()])
}

/** An asset kind with its article ("an image", "a video"), for messages. */
function withArticle(kind: string): string {
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`
}

/** The lease outlives the run (pg-boss allows under 24 h), so a process that dies is replaced after it at worst. */
function leaseFor(timeoutSeconds: number): number {
  return Math.min(timeoutSeconds + 15 * 60, 24 * 3600 - 1)
}
