import type { Database } from '../../db/connect'
import type { JobQueue } from '../../jobs/queue'
import type { AssetService } from '../assets/assets.service'
import { AppError } from '../../../shared/errors'
import { LIMITS } from '../../../shared/limits'
import { TERMINAL_GENERATION_STATUSES, type GenerationStatus } from '../../../shared/comfy/manifest'
import type { GenerationEventLog } from './events'
import { toGenerationInfo, maskSecret, type GenerationInfo, type StoredInputs } from './generation.dto'
import { ComfyPool, type ServerHealth, type ServerRow } from './pool'
import { applyValues, resolveChoices, resolveParams, type TemplateRegistry, type Template } from './templates'
import { inspectWorkflow, type ObjectInfoSource, type WorkflowInspection } from './workflows'

export const PAUSE_KEY = 'comfy.paused'

export interface QueuePause { reason: string; at: string }

export interface ServerInfo extends ServerRow {
  /** Never the secret itself: `"authorization: ••••"` when one is set. */
  authHeader: string | null
  health: ServerHealth | null
  /** Generations dispatched to or running on it now. */
  active: number
}

export interface CreateGenerationInput {
  templateId: string
  params?: Record<string, unknown>
  /** Template input name → asset id. */
  inputs?: Record<string, string>
  timeoutSeconds?: number
  webhookUrl?: string
}

const ACTIVE: GenerationStatus[] = ['dispatched', 'running']

/** Generations as users drive them; the `comfy.generate` job does the running. */
export class GenerationService {
  constructor(
    readonly db: Database,
    readonly pool: ComfyPool,
    readonly templates: TemplateRegistry,
    readonly events: GenerationEventLog,
    private readonly queue: Pick<JobQueue, 'enqueue' | 'cancel'>,
    private readonly assets: Pick<AssetService, 'get'>,
  ) {}

  // ── templates ──────────────────────────────────────────────────────────────

  /** `mine`: a workflow this user uploaded, which they may re-map or delete. */
  async listTemplates(ownerId: string) {
    return (await this.templates.list(ownerId)).map((t) => ({ id: t.id, builtin: t.builtin, mine: !t.builtin, name: t.manifest.name, description: t.manifest.description, category: t.manifest.category, inputs: t.manifest.inputs.map((i) => ({ name: i.name, label: i.label, kind: i.kind })) }))
  }

  /** A workflow's constant inputs and a draft mapping, typed by the first server that answers. */
  async inspectWorkflow(workflow: unknown, name?: string): Promise<WorkflowInspection> {
    return inspectWorkflow(workflow, await this.objectInfoSource(), name)
  }

  /** An uploaded workflow with its mapping, and its inputs as `inspectWorkflow` lists them. */
  async getWorkflow(ownerId: string, id: string) {
    const template = await this.templates.uploaded(ownerId, id)
    return { id: template.id, name: template.manifest.name, manifest: template.manifest, workflow: template.workflow, inspection: await this.inspectWorkflow(template.workflow, template.manifest.name) }
  }

  /** The template with choices resolved from a server's object_info (the given one, or the first healthy). */
  async getTemplate(ownerId: string, id: string, serverId?: string) {
    const template = await this.templates.get(ownerId, id)
    const objectInfo = await this.objectInfoFor(serverId).catch(() => undefined)
    return { id: template.id, builtin: template.builtin, manifest: template.manifest, parameters: resolveChoices(template, objectInfo), workflow: template.workflow, choicesFromServer: objectInfo !== undefined }
  }

  private async objectInfoSource(): Promise<ObjectInfoSource | undefined> {
    await this.pool.sync()
    for (const server of this.pool.enabledServers()) {
      const connection = await this.pool.connection(server.id)
      const info = await connection.objectInfo.get().catch(() => undefined)
      if (info) return { name: server.name, info, refresh: () => connection.objectInfo.refresh() }
    }
    return undefined
  }

  private async objectInfoFor(serverId?: string) {
    await this.pool.sync()
    const ids = serverId ? [serverId] : this.pool.enabledServers().map((s) => s.id)
    for (const id of ids) {
      const connection = await this.pool.connection(id)
      const info = await connection.objectInfo.get().catch(() => undefined)
      if (info) return info
    }
    return undefined
  }

  // ── generations ────────────────────────────────────────────────────────────

  async create(ownerId: string, input: CreateGenerationInput): Promise<GenerationInfo> {
    const template = await this.templates.get(ownerId, input.templateId)
    const params = resolveParams(template.manifest, input.params ?? {})
    const inputs = await this.checkInputs(ownerId, template, input.inputs ?? {})
    await this.requireHealthyServer()
    const workflow = applyValues(template.workflow, template.manifest, params)
    const timeoutSeconds = input.timeoutSeconds ?? template.manifest.timeoutSeconds
    const row = await this.db.prisma.generation.create({
      data: {
        ownerId, templateId: template.id, templateName: template.manifest.name, params, inputs, workflow: workflow as object,
        outputNodes: template.manifest.outputs, timeoutSeconds, webhookUrl: input.webhookUrl ?? null,
      },
    })
    await this.events.append(row.id, { type: 'status', status: 'queued', attempt: 0 })
    return this.enqueue(ownerId, row.id, timeoutSeconds, row.promptId)
  }

  /** `promptId` names this run of the generation, so a late report from an earlier run cannot end a retry. */
  private async enqueue(ownerId: string, id: string, timeoutSeconds: number, promptId: string | null): Promise<GenerationInfo> {
    // The lease outlives the run (pg-boss allows under 24 h), so a process that dies is replaced after it at worst.
    const job = await this.queue.enqueue('comfy.generate', { ownerId, input: { generationId: id, promptId }, expireInSeconds: Math.min(timeoutSeconds + 15 * 60, 24 * 3600 - 1) })
    return toGenerationInfo(await this.db.prisma.generation.update({ where: { id }, data: { jobId: job.id } }))
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
        if (spec.required) throw new AppError('BAD_REQUEST', `"${template.manifest.name}" needs ${spec.label ?? spec.name}: pick an ${spec.kind} from your assets.`)
        continue
      }
      const asset = await this.assets.get(ownerId, assetId)
      if (asset.kind !== spec.kind) throw new AppError('BAD_REQUEST', `${spec.label ?? spec.name} must be an ${spec.kind}; "${asset.name}" is a ${asset.kind}.`)
      if (asset.status !== 'ready') throw new AppError('CONFLICT', `"${asset.name}" is still being processed; try again in a moment.`)
      inputs[spec.name] = { assetId, node: spec.target.node, input: spec.target.input }
    }
    return inputs
  }

  /** Refuses early when nothing could run the generation, with what to do about it. */
  private async requireHealthyServer(): Promise<void> {
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

  async list(ownerId: string, input: { status?: GenerationStatus[]; templateId?: string; cursor?: string; limit?: number }) {
    const take = Math.min(input.limit ?? 50, LIMITS.maxListPageSize)
    const rows = await this.db.prisma.generation.findMany({
      where: { ownerId, ...(input.status?.length ? { status: { in: input.status } } : {}), ...(input.templateId ? { templateId: input.templateId } : {}) },
      orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }],
      take: take + 1,
      ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
    })
    const page = rows.slice(0, take)
    return { items: page.map(toGenerationInfo), nextCursor: rows.length > take ? page.at(-1)!.id : null }
  }

  /** Works in every state: the row first, then the prompt on ComfyUI, then the job. */
  async cancel(ownerId: string, id: string): Promise<GenerationInfo> {
    const row = await this.findOwned(ownerId, id)
    if (TERMINAL_GENERATION_STATUSES.includes(row.status as GenerationStatus)) return toGenerationInfo(row)
    await this.finish(id, 'cancelled', { error: 'Cancelled.', errorKind: 'cancelled' }, row.attempts)
    if (row.serverId && row.promptId) {
      // The job may be on an instance that stopped: stop the prompt on the server from here too.
      const connection = await this.pool.connection(row.serverId).catch(() => undefined)
      if (connection) await Promise.allSettled([connection.http.deleteFromQueue([row.promptId]), connection.http.interrupt(row.promptId)])
    }
    if (row.jobId) await this.queue.cancel(row.jobId).catch(() => {})
    return this.get(ownerId, id)
  }

  /** Runs a failed or cancelled generation again, under a new prompt id. */
  async retry(ownerId: string, id: string): Promise<GenerationInfo> {
    const row = await this.findOwned(ownerId, id)
    if (row.status !== 'failed' && row.status !== 'cancelled') throw new AppError('CONFLICT', `Only failed or cancelled generations can be retried; this one is ${row.status}.`)
    await this.requireHealthyServer()
    const promptId = `${id}-${Date.now().toString(36)}`
    const updated = await this.db.prisma.generation.updateMany({
      where: { id, status: row.status },
      data: { status: 'queued', serverId: null, promptId, error: null, errorKind: null, progress: {}, outputs: [], attempts: 0, queuedAt: new Date(), startedAt: null, finishedAt: null },
    })
    if (updated.count === 0) throw new AppError('CONFLICT', 'The generation changed meanwhile; reload it.')
    await this.events.append(id, { type: 'status', status: 'queued', attempt: 0 })
    return this.enqueue(ownerId, id, row.timeoutSeconds, promptId)
  }

  /** Removes the record (cancelling it first if it still runs); its output assets stay. */
  async delete(ownerId: string, id: string): Promise<void> {
    const row = await this.findOwned(ownerId, id)
    if (!TERMINAL_GENERATION_STATUSES.includes(row.status as GenerationStatus)) await this.cancel(ownerId, id)
    await this.db.prisma.generation.delete({ where: { id } })
  }

  /**
   * Moves a generation to a terminal state unless it already is in one (a cancel and a finish
   * can race): the event first, then the row, so a watcher that sees the row ended has it all.
   */
  async finish(id: string, status: 'succeeded' | 'failed' | 'cancelled', data: { error?: string; errorKind?: string; outputs?: string[] }, attempt: number, run?: { promptId: string | null }): Promise<boolean> {
    const current = await this.db.prisma.generation.findUnique({ where: { id }, select: { status: true, promptId: true } })
    if (!current || TERMINAL_GENERATION_STATUSES.includes(current.status as GenerationStatus)) return false
    // A report about an earlier run (e.g. its job settling after the user already retried) is
    // stale. A first run's prompt id is the generation id, recorded once it is dispatched.
    const runKey = run ? run.promptId ?? id : null
    if (runKey !== null && (current.promptId ?? id) !== runKey) return false
    if (data.outputs) await this.events.append(id, { type: 'outputs', assetIds: data.outputs })
    await this.events.append(id, { type: 'status', status, attempt, ...(data.error ? { error: data.error } : {}) })
    const { count } = await this.db.prisma.generation.updateMany({
      where: {
        id,
        status: { notIn: [...TERMINAL_GENERATION_STATUSES] },
        ...(runKey !== null ? { OR: [{ promptId: runKey }, ...(runKey === id ? [{ promptId: null }] : [])] } : {}),
      },
      data: { status, finishedAt: new Date(), error: data.error ?? null, errorKind: data.errorKind ?? null, ...(data.outputs ? { outputs: data.outputs } : {}), ...(status === 'succeeded' ? { progress: { fraction: 1 } } : {}) },
    })
    return count > 0
  }

  private async findOwned(ownerId: string, id: string) {
    const row = await this.db.prisma.generation.findFirst({ where: { id, ownerId } })
    if (!row) throw new AppError('NOT_FOUND', `No generation with id ${id}. It may have been deleted.`)
    return row
  }

  // ── servers ────────────────────────────────────────────────────────────────

  async listServers(): Promise<{ servers: ServerInfo[]; paused: QueuePause | null }> {
    const rows = await this.pool.sync()
    // Servers not checked yet (just started, just added) are checked now rather than shown unknown.
    await Promise.all(this.pool.enabledServers().filter((s) => !this.pool.health(s.id)).map((s) => this.pool.refreshHealth(s.id)))
    const active = await this.db.prisma.generation.groupBy({ by: ['serverId'], where: { status: { in: ACTIVE }, serverId: { not: null } }, _count: { _all: true } })
    const counts = new Map(active.map((a) => [a.serverId, a._count._all]))
    const servers = rows.map((row) => ({
      id: row.id, name: row.name, url: row.url, authHeader: maskSecret(row.authHeader), enabled: row.enabled, maxConcurrent: row.maxConcurrent,
      source: row.source, createdAt: row.createdAt, health: this.pool.health(row.id) ?? null, active: counts.get(row.id) ?? 0,
    }))
    return { servers, paused: await this.pausedBecause() }
  }

  async addServer(input: { name: string; url: string; authHeader?: string | null; enabled?: boolean; maxConcurrent?: number }, source = 'settings') {
    const url = normaliseUrl(input.url)
    const existing = await this.db.prisma.comfyServer.findUnique({ where: { url } })
    if (existing) throw new AppError('CONFLICT', `A server with the address ${url} is already set up ("${existing.name}").`)
    const row = await this.db.prisma.comfyServer.create({ data: { name: input.name, url, authHeader: input.authHeader ?? null, enabled: input.enabled ?? true, maxConcurrent: input.maxConcurrent ?? 1, source } })
    await this.pool.sync()
    await this.pool.refreshHealth(row.id)
    return row.id
  }

  async updateServer(id: string, input: { name?: string; url?: string; authHeader?: string | null; enabled?: boolean; maxConcurrent?: number }) {
    await this.findServer(id)
    await this.db.prisma.comfyServer.update({ where: { id }, data: { ...input, ...(input.url ? { url: normaliseUrl(input.url) } : {}), updatedAt: new Date() } })
    await this.pool.sync()
    return id
  }

  /** Refused while generations run on it; finished ones keep their record without the server. */
  async removeServer(id: string): Promise<void> {
    await this.findServer(id)
    const active = await this.db.prisma.generation.count({ where: { serverId: id, status: { in: ACTIVE } } })
    if (active > 0) throw new AppError('CONFLICT', `${active} generation${active === 1 ? ' is' : 's are'} running on this server. Disable it so no new ones start, and remove it once they finish (or cancel them).`)
    await this.db.prisma.comfyServer.delete({ where: { id } })
    await this.pool.sync()
  }

  async testServer(input: { id?: string; url?: string; authHeader?: string | null }) {
    if (input.id) {
      const row = await this.findServer(input.id)
      return ComfyPool.probe(row.url, row.authHeader)
    }
    if (!input.url) throw new AppError('BAD_REQUEST', 'Give a server id or an address to test.')
    return ComfyPool.probe(normaliseUrl(input.url), input.authHeader ?? null)
  }

  /** LATTICE_COMFY_URLS: comma-separated addresses, upserted at start (enabled, one prompt at a time unless set in Settings). */
  async upsertFromEnv(value: string | undefined): Promise<void> {
    const urls = (value ?? '').split(',').map((u) => u.trim()).filter(Boolean).map(normaliseUrl)
    if (urls.length === 0) return
    // INSERT … ON CONFLICT DO NOTHING: an address already set up (by an earlier start, another
    // instance, or in Settings) keeps its row and settings.
    await this.db.prisma.comfyServer.createMany({ data: urls.map((url) => ({ name: new URL(url).host, url, source: 'env' })), skipDuplicates: true })
  }

  private async findServer(id: string) {
    const row = await this.db.prisma.comfyServer.findUnique({ where: { id } })
    if (!row) throw new AppError('NOT_FOUND', `No ComfyUI server with id ${id}.`)
    return row
  }

  // ── pause (storage full) ───────────────────────────────────────────────────

  async pausedBecause(): Promise<QueuePause | null> {
    const row = await this.db.prisma.appState.findUnique({ where: { key: PAUSE_KEY } })
    return row ? (row.value as unknown as QueuePause) : null
  }

  async pause(reason: string): Promise<void> {
    const value = { reason, at: new Date().toISOString() }
    await this.db.prisma.appState.upsert({ where: { key: PAUSE_KEY }, update: { value, updatedAt: new Date() }, create: { key: PAUSE_KEY, value } })
  }

  async resume(): Promise<void> {
    await this.db.prisma.appState.deleteMany({ where: { key: PAUSE_KEY } })
  }
}

export function noHealthyServer(servers: Array<{ name: string; health?: ServerHealth | { reachable: false; error: string } }>): AppError {
  const why = servers.map((s) => `${s.name}: ${s.health && !s.health.reachable ? s.health.error : 'not checked yet'}`).join(' ')
  const error = new AppError('SERVICE_UNAVAILABLE', `No ComfyUI server is reachable right now. ${why} Start ComfyUI (or check its address in Settings → ComfyUI servers); queued generations continue once one is back.`, { kind: 'no_healthy_server' })
  ;(error as AppError & { transient: boolean }).transient = true
  return error
}

function normaliseUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw.includes('://') ? raw : `http://${raw}`)
  } catch {
    throw new AppError('BAD_REQUEST', `"${raw}" is not a server address; use e.g. http://gpu-box:8188.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('BAD_REQUEST', 'ComfyUI addresses start with http:// or https://.')
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '').replace(/\/api$/, '')}`
}
