import { randomUUID } from 'node:crypto'
import type { Database } from '../../db/connect'
import { ComfyHttp, getHealth, openComfyConnection, type ComfyConnection, type ComfyHealth } from '../../comfy'
import type { BackoffOptions } from '../../comfy/backoff'
import { AppError } from '../../../shared/errors'

export interface ServerRow {
  id: string
  name: string
  url: string
  authHeader: string | null
  enabled: boolean
  maxConcurrent: number
  source: string
  createdAt: Date
}

export type ServerHealth = ComfyHealth & { checkedAt: string }

interface Entry {
  row: ServerRow
  connection: ComfyConnection
  health?: ServerHealth
  /** A health read under way, so socket messages arriving meanwhile do not start more. */
  reading?: Promise<void>
}

export interface PoolOptions {
  /** How often every server's health is read for the servers list (0: never in the background). */
  healthIntervalMs?: number
  httpTimeoutMs?: number
  socketBackoff?: BackoffOptions
}

/** `"Authorization: Bearer x"` or `"X-Api-Key=x"` → a header pair. */
export function parseAuthHeader(value: string | null): Record<string, string> | undefined {
  if (!value) return undefined
  const match = /^\s*([A-Za-z0-9-]+)\s*[:=]\s*(.+?)\s*$/.exec(value)
  if (match) return { [match[1]!.toLowerCase()]: match[2]! }
  return { authorization: value.trim() }
}

/**
 * The ComfyUI servers of this process: one connection (socket + cached object_info) per enabled
 * server, health read in the background, rows re-read from the database on `sync()` so servers
 * added on another instance appear too.
 */
export class ComfyPool {
  private readonly entries = new Map<string, Entry>()
  private timer?: NodeJS.Timeout
  private readonly clientId = `lattice-${randomUUID()}`
  private closed = false
  private syncedAt = Number.NEGATIVE_INFINITY
  private syncing: Promise<ServerRow[]> | null = null

  constructor(private readonly db: Database, private readonly options: PoolOptions = {}) {}

  async start(): Promise<void> {
    await this.sync()
    const every = this.options.healthIntervalMs ?? 10_000
    if (every > 0) {
      this.timer = setInterval(() => void this.refreshHealth().catch(() => {}), every)
      this.timer.unref()
    }
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    await Promise.all([...this.entries.values()].map((e) => e.connection.close().catch(() => {})))
    this.entries.clear()
  }

  /**
   * Re-reads the rows unless they were read within `maxAgeMs`: servers changed on this instance
   * are synced at once, those changed on another instance are seen within that time.
   */
  async syncIfStale(maxAgeMs = 1000): Promise<void> {
    if (performance.now() - this.syncedAt < maxAgeMs) return
    this.syncing ??= this.sync().finally(() => { this.syncing = null })
    await this.syncing
  }

  /** Re-reads server rows; opens connections for new or changed servers, closes removed ones. */
  async sync(): Promise<ServerRow[]> {
    const readAt = performance.now()
    const rows = await this.db.prisma.comfyServer.findMany({ orderBy: { createdAt: 'asc' } })
    this.syncedAt = readAt
    if (this.closed) return rows
    const seen = new Set<string>()
    for (const row of rows) {
      seen.add(row.id)
      const existing = this.entries.get(row.id)
      if (existing && existing.row.url === row.url && existing.row.authHeader === row.authHeader) {
        existing.row = row
        continue
      }
      if (existing) {
        await existing.connection.close().catch(() => {})
        this.entries.delete(row.id)
      }
      // Disabled servers get no new connection; one already open stays, so runs there can finish.
      if (row.enabled) this.entries.set(row.id, this.open(row))
    }
    for (const [id, entry] of this.entries) {
      if (!seen.has(id)) {
        await entry.connection.close().catch(() => {})
        this.entries.delete(id)
      }
    }
    return rows
  }

  /**
   * Opens a server's connection. Its socket keeps the entry's health current between the
   * background reads: ComfyUI announces every queue change to every client (`status`), and a
   * dropped socket means the server is not reachable until it greets us again.
   */
  private open(row: ServerRow): Entry {
    const connection = openComfyConnection({
      baseUrl: row.url,
      clientId: this.clientId,
      headers: parseAuthHeader(row.authHeader),
      httpTimeoutMs: this.options.httpTimeoutMs ?? 15_000,
      socketBackoff: this.options.socketBackoff,
    })
    const entry: Entry = { row, connection }
    connection.socket.on('message', (message) => {
      if (message.type !== 'status') return
      // Reachable again (or never read): read its version and GPU too, once.
      if (!entry.health?.reachable) return void this.refreshHealth(row.id).catch(() => {})
      entry.health = { ...entry.health, queueDepth: message.data.status.exec_info.queue_remaining, checkedAt: new Date().toISOString() }
    })
    connection.socket.on('close', () => {
      if (this.closed) return
      entry.health = { reachable: false, error: `The connection to ComfyUI at ${row.url} dropped; Lattice reconnects when it answers again.`, checkedAt: new Date().toISOString() }
    })
    return entry
  }

  /**
   * The connection of a server; re-reads the rows once if it is not known yet. A disabled server
   * still gets one: a generation already on it must be followed to its end, never sent elsewhere.
   */
  async connection(serverId: string): Promise<ComfyConnection> {
    if (!this.entries.has(serverId)) await this.sync()
    let entry = this.entries.get(serverId)
    if (!entry && !this.closed) {
      const row = await this.db.prisma.comfyServer.findUnique({ where: { id: serverId } })
      if (row) {
        entry = this.entries.get(serverId) ?? this.open(row)
        this.entries.set(serverId, entry)
      }
    }
    if (!entry) throw new AppError('NOT_FOUND', 'That ComfyUI server was removed. Retry the generation to run it on another server.')
    return entry.connection
  }

  /** A server's row as last synced (disabled ones too, while a connection to them is open). */
  server(serverId: string): ServerRow | undefined {
    return this.entries.get(serverId)?.row
  }

  enabledServers(): ServerRow[] {
    return [...this.entries.values()].filter((e) => e.row.enabled).map((e) => e.row)
  }

  health(serverId: string): ServerHealth | undefined {
    return this.entries.get(serverId)?.health
  }

  async refreshHealth(serverId?: string): Promise<void> {
    const entries = serverId ? [this.entries.get(serverId)].filter((e): e is Entry => e !== undefined) : [...this.entries.values()]
    await Promise.all(entries.map((entry) => (entry.reading ??= (async () => {
      const health = await getHealth(entry.connection.http).catch((error: Error) => ({ reachable: false as const, error: error.message }))
      entry.health = { ...health, checkedAt: new Date().toISOString() }
    })().finally(() => { entry.reading = undefined }))))
  }

  /** Reads the health of servers never checked yet (just added); the others are kept current in the background. */
  async refreshUnknownHealth(): Promise<void> {
    const unknown = this.enabledServers().filter((s) => !this.health(s.id))
    await Promise.all(unknown.map((s) => this.refreshHealth(s.id)))
  }

  /** The node types a server lacks, from its cached object_info (read again before saying one is missing). */
  async missingNodeTypes(serverId: string, classTypes: string[]): Promise<string[]> {
    const connection = await this.connection(serverId)
    let info = await connection.objectInfo.get()
    if (classTypes.some((c) => !info[c])) info = await connection.objectInfo.refresh()
    return classTypes.filter((c) => !info[c])
  }


  /** Health of one server right now, for `servers.test` (no connection kept). */
  static async probe(url: string, authHeader: string | null): Promise<ComfyHealth> {
    return getHealth(new ComfyHttp({ baseUrl: url, headers: parseAuthHeader(authHeader), timeoutMs: 5000 }))
  }
}
