import type { Database } from '../../db/connect'
import type { SqlExecutor } from '../../db/sql'
import type { JobTransitions } from '../../jobs/transitions'
import { JobCancelled } from '../../jobs/types'
import { GenerationFailed, GenerationRetry, asRetry, noHealthyServer } from './failures'
import type { GenerationPause } from './pause'
import type { ComfyPool, ServerRow } from './pool'

/**
 * How many places each server has taken now, on every instance: generations named on it whose job
 * a run holds (placing it, or following it there). A generation whose run died gives its place
 * back when it is handed back; its next run re-attaches to what the server still runs. The same
 * rule as `lattice_claim_server` (prisma/migrations/…_claim_server).
 */
export async function activeGenerationsPerServer(sql: SqlExecutor, serverIds: string[], except?: string): Promise<Map<string, number>> {
  if (serverIds.length === 0) return new Map()
  const { rows } = await sql.query<{ serverId: string; n: number }>(`SELECT g."serverId", count(*)::int AS n FROM "Generation" g JOIN "Job" j ON j.id = g."jobId"
    WHERE j.status IN ('queued', 'dispatched', 'running') AND j."runId" IS NOT NULL AND g."serverId" = ANY($1::text[]) AND ($2::text IS NULL OR g.id <> $2)
    GROUP BY g."serverId"`, [serverIds, except ?? null])
  return new Map(rows.map((r) => [r.serverId, Number(r.n)]))
}

/**
 * Where generations can run: which servers are up and have room. The queue asks `startable`
 * before taking generations, so generations waiting for room wait in the queue, not in a slot;
 * `claim` then picks the least-loaded capable server in one transaction.
 */
export class ServerCapacity {
  private counts: { value: Map<string, number>; at: number } | null = null
  /** Runs in this process that hold a place (claimed, or re-attached to their prompt). */
  private placedHere = 0

  constructor(private readonly db: Database, private readonly pool: ComfyPool, private readonly pause: GenerationPause, private readonly transitions: JobTransitions, private readonly cacheMs = 250) {}

  /**
   * How many generations could start now: the free places on servers known to be up, none while
   * the queue is paused. With no server known to be up, runs start anyway and report why they
   * cannot go on (they are retried, then fail).
   */
  async startable(runningHere: number): Promise<number> {
    if (await this.pause.reason()) return 0
    await this.pool.syncIfStale()
    const candidates = this.pool.enabledServers().filter((s) => this.pool.health(s.id)?.reachable !== false)
    if (candidates.length === 0) return Number.POSITIVE_INFINITY
    const counts = await this.activeCounts(candidates)
    const free = candidates.reduce((sum, s) => sum + Math.max(0, s.maxConcurrent - (counts.get(s.id) ?? 0)), 0)
    // Runs here that have not taken their place yet will take one of these.
    return Math.max(0, free - Math.max(0, runningHere - this.placedHere))
  }

  /** A run here holds a place now (re-attached to its prompt); `release` when it ends. */
  hold(): void {
    this.placedHere++
    this.changed()
  }

  /** A run here that held a place ended. */
  release(): void {
    this.placedHere = Math.max(0, this.placedHere - 1)
    this.changed()
  }

  /** A place was taken or given back here: the next check reads the database again. */
  changed(): void {
    this.counts = null
  }

  /**
   * Chooses the least-loaded healthy server that has every node type, under its maxConcurrent,
   * and records it on the generation in one statement serialised across instances by an advisory
   * lock (`lattice_claim_server`); then the job is `dispatched`. Null when every capable server is
   * full; throws a retry or a failure when no server can run it.
   */
  async claim(run: { generationId: string; jobId: string; runId: string; promptId: string; classTypes: string[] }): Promise<string | null> {
    const { pool } = this
    await pool.syncIfStale()
    const servers = pool.enabledServers()
    if (servers.length === 0) throw new GenerationRetry('No ComfyUI server is enabled. An admin adds or enables one in Settings → ComfyUI servers.', 'no_server')
    await pool.refreshUnknownHealth()
    let healthy = servers.filter((s) => pool.health(s.id)?.reachable)
    if (healthy.length === 0) {
      // Before giving up, ask them now rather than trust what the pool last heard.
      await pool.refreshHealth()
      healthy = servers.filter((s) => pool.health(s.id)?.reachable)
    }
    if (healthy.length === 0) throw asRetry(noHealthyServer(servers.map((s) => ({ name: s.name, health: pool.health(s.id) }))))
    const capable: ServerRow[] = []
    const lacking: string[] = []
    for (const server of healthy) {
      const missing = await pool.missingNodeTypes(server.id, run.classTypes)
      if (missing.length === 0) capable.push(server)
      else lacking.push(`${server.name} lacks ${missing.join(', ')}`)
    }
    if (capable.length === 0) {
      const message = `No ComfyUI server has every node type this workflow needs (${lacking.join('; ')}). Install the missing custom nodes on a server, or use another workflow.`
      if (healthy.length === servers.length) throw new GenerationFailed(message, 'missing_node')
      throw new GenerationRetry(message, 'missing_node')
    }
    const loads = capable.map((server) => {
      const health = pool.health(server.id)
      return health?.reachable ? health.queueDepth : 0
    })
    // The choice and the job's move to `dispatched` commit together, under the lock.
    const chosen = await this.db.transaction(async (sql) => {
      const { rows } = await sql.query<{ chosen: string | null }>('SELECT lattice_claim_server($1, $2, $3::text[], $4::int[], $5::int[]) AS chosen',
        [run.generationId, run.promptId, capable.map((s) => s.id), capable.map((s) => s.maxConcurrent), loads])
      const server = rows[0]?.chosen ?? null
      // Also from "dispatched" or "running": a run that died before ComfyUI had the prompt leaves it so.
      if (server && !(await this.transitions.move(run.jobId, 'dispatched', { runId: run.runId, serverId: server, error: null, errorKind: null, sql }))) throw new JobCancelled()
      return server
    })
    if (chosen) {
      this.transitions.announce(run.jobId, 'dispatched')
      this.hold()
    }
    return chosen
  }

  private async activeCounts(servers: ServerRow[]): Promise<Map<string, number>> {
    if (this.counts && performance.now() - this.counts.at < this.cacheMs) return this.counts.value
    const value = await activeGenerationsPerServer(this.db.sql, servers.map((s) => s.id))
    this.counts = { value, at: performance.now() }
    return value
  }
}
