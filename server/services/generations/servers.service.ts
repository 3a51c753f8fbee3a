import type { Database } from '../../db/connect'
import { AppError } from '../../../shared/errors'
import type { ComfyServerAddInput, ComfyServerChanges, ComfyServerTestInput } from '../../../shared/schemas/comfy'
import { activeGenerationsPerServer } from './capacity'
import { maskSecret } from './generation.dto'
import type { GenerationPause, QueuePause } from './pause'
import { ComfyPool, type ServerHealth, type ServerRow } from './pool'

export interface ServerInfo extends ServerRow {
  /** Never the secret itself: `"authorization: ••••"` when one is set. */
  authHeader: string | null
  health: ServerHealth | null
  /** Generations dispatched to or running on it now. */
  active: number
}

/** The ComfyUI servers generations run on, as admins set them up, with their health and load. */
export class ComfyServerService {
  constructor(private readonly db: Database, private readonly pool: ComfyPool, private readonly pause: GenerationPause) {}

  async list(): Promise<{ servers: ServerInfo[]; paused: QueuePause | null }> {
    const rows = await this.pool.sync()
    // Servers not checked yet (just started, just added) are checked now rather than shown unknown.
    await Promise.all(this.pool.enabledServers().filter((s) => !this.pool.health(s.id)).map((s) => this.pool.refreshHealth(s.id)))
    const counts = await activeGenerationsPerServer(this.db.sql, rows.map((r) => r.id))
    const servers = rows.map((row) => ({
      id: row.id, name: row.name, url: row.url, authHeader: maskSecret(row.authHeader), enabled: row.enabled, maxConcurrent: row.maxConcurrent,
      source: row.source, createdAt: row.createdAt, health: this.pool.health(row.id) ?? null, active: counts.get(row.id) ?? 0,
    }))
    return { servers, paused: await this.pause.reason(0) }
  }

  async add(input: ComfyServerAddInput, source = 'settings'): Promise<string> {
    const url = normaliseUrl(input.url)
    const existing = await this.db.prisma.comfyServer.findUnique({ where: { url } })
    if (existing) throw new AppError('CONFLICT', `A server with the address ${url} is already set up ("${existing.name}").`)
    const row = await this.db.prisma.comfyServer.create({ data: { name: input.name, url, authHeader: input.authHeader ?? null, enabled: input.enabled ?? true, maxConcurrent: input.maxConcurrent ?? 1, source } })
    await this.pool.sync()
    await this.pool.refreshHealth(row.id)
    return row.id
  }

  async update(id: string, input: ComfyServerChanges): Promise<string> {
    await this.find(id)
    await this.db.prisma.comfyServer.update({ where: { id }, data: { ...input, ...(input.url ? { url: normaliseUrl(input.url) } : {}), updatedAt: new Date() } })
    await this.pool.sync()
    return id
  }

  /** Refused while generations run on it; finished ones keep their record without the server. */
  async remove(id: string): Promise<void> {
    await this.find(id)
    const active = (await activeGenerationsPerServer(this.db.sql, [id])).get(id) ?? 0
    if (active > 0) throw new AppError('CONFLICT', `${active} generation${active === 1 ? ' is' : 's are'} running on this server. Disable it so no new ones start, and remove it once they finish (or cancel them).`)
    await this.db.prisma.comfyServer.delete({ where: { id } })
    await this.pool.sync()
  }

  async test(input: ComfyServerTestInput) {
    if (input.id) {
      const row = await this.find(input.id)
      return ComfyPool.probe(row.url, row.authHeader)
    }
    if (!input.url) throw new AppError('BAD_REQUEST', 'Give a server id or an address to test.')
    return ComfyPool.probe(normaliseUrl(input.url), input.authHeader ?? null)
  }

  /** LATTICE_COMFY_URLS: comma-separated addresses, added at start (enabled, one prompt at a time unless set in Settings). */
  async upsertFromEnv(value: string | undefined): Promise<void> {
    const urls = (value ?? '').split(',').map((u) => u.trim()).filter(Boolean).map(normaliseUrl)
    if (urls.length === 0) return
    // INSERT … ON CONFLICT DO NOTHING: an address already set up (by an earlier start, another
    // instance, or in Settings) keeps its row and settings.
    await this.db.prisma.comfyServer.createMany({ data: urls.map((url) => ({ name: new URL(url).host, url, source: 'env' })), skipDuplicates: true })
  }

  /** Lets generations start again after the queue paused itself (storage was full). */
  resume(): Promise<void> {
    return this.pause.resume()
  }

  private async find(id: string) {
    const row = await this.db.prisma.comfyServer.findUnique({ where: { id } })
    if (!row) throw new AppError('NOT_FOUND', `No ComfyUI server with id ${id}.`)
    return row
  }
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
