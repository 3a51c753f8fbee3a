import { writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient } from './generated/client'
import type { DatabaseConfig } from './config'
import type { SqlExecutor } from './sql'

export interface Database {
  kind: DatabaseConfig['kind']
  prisma: PrismaClient
  sql: SqlExecutor
  /** The `db` option pg-boss takes, so the job queue shares this connection. */
  bossDb: { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }
  /**
   * Runs `work` as one transaction on one connection, committed when it resolves and rolled back
   * when it throws. Only the given executor may be used inside: on PGlite every other query
   * waits for the transaction to end.
   */
  transaction<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T>
  /**
   * LISTENs on `channel` on a connection of its own, reconnecting after a drop, until the returned
   * function is called. PostgreSQL only: the embedded database has no other process to hear.
   */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>
  /**
   * Runs `work` while this process holds the advisory lock `key`, so instances sharing one
   * PostgreSQL database take turns. The lock sits on a connection of its own (not the pool's,
   * which `work` may use freely) and goes with it: when `work` ends, or when the process dies.
   * On PGlite the database belongs to this process alone, so `work` just runs.
   */
  exclusively<T>(key: number, work: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Opens the configured database. Nothing is migrated here: see migrate.ts. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === 'pglite' ? openPGlite(config.dataDir) : openPostgres(config.url)
}

async function openPGlite(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true })
  const pglite = await PGlite.create(dataDir)
  if (process.env.SQL_STATS) {
    const stats = new Map<string, { n: number; ms: number }>()
    for (const method of ['query', 'exec', 'execProtocol', 'execProtocolRaw'] as const) {
      const original = (pglite as any)[method].bind(pglite)
      ;(pglite as any)[method] = async (...args: any[]) => {
        const t = performance.now()
        try { return await original(...args) } finally {
          const key = `${method}: ${typeof args[0] === 'string' ? args[0].replace(/\s+/g, ' ').slice(0, 110) : 'bytes'}`
          const e = stats.get(key) ?? { n: 0, ms: 0 }; e.n++; e.ms += performance.now() - t; stats.set(key, e)
        }
      }
    }
    setInterval(() => { writeFileSync(process.env.SQL_STATS!, [...stats].sort((a, b) => b[1].ms - a[1].ms).map(([k, v]) => `${v.n}\t${v.ms.toFixed(0)}\t${k}`).join('\n')) }, 2000).unref()
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) })
  const sql: SqlExecutor = {
    // PGlite's query() takes one statement; multi-statement scripts go through exec().
    exec: async (text) => { await pglite.exec(text) },
    query: async (text, values) => {
      const result = await pglite.query(text, values as unknown[] | undefined)
      return { rows: result.rows as never[] }
    },
  }
  const bossDb = {
    async executeSql(text: string, values?: unknown[]) {
      if (values && values.length > 0) return pglite.query(text, values)
      // pg-boss installs its schema as one multi-statement script; the last result carries rows.
      const results = await pglite.exec(text)
      return { rows: results.at(-1)?.rows ?? [] }
    },
  }
  return {
    kind: 'pglite',
    prisma,
    sql,
    bossDb,
    listen: async () => async () => {},
    transaction: (work) => pglite.transaction((tx) => work({
      exec: async (text) => { await tx.exec(text) },
      query: async (text, values) => ({ rows: (await tx.query(text, values as unknown[] | undefined)).rows as never[] }),
    })),
    exclusively: (_key, work) => work(),
    async close() {
      await prisma.$disconnect()
      if (!pglite.closed) await pglite.close()
    },
  }
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.LATTICE_DB_POOL_SIZE ?? 10) })
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on('error', (error) => console.error('[db] idle connection error:', error.message))
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) })
  const sql: SqlExecutor = {
    exec: async (text) => { await pool.query(text) },
    query: async (text, values) => {
      const result = await pool.query(text, values as unknown[] | undefined)
      return { rows: result.rows }
    },
  }
  const bossDb = {
    async executeSql(text: string, values?: unknown[]) {
      const result = await pool.query(text, values)
      return Array.isArray(result) ? { rows: (result as pg.QueryResult[]).at(-1)?.rows ?? [] } : result
    },
  }
  return {
    kind: 'postgres',
    prisma,
    sql,
    bossDb,
    listen: (channel, onPayload) => listenOn(url, channel, onPayload),
    async transaction(work) {
      const client = await pool.connect()
      let broken: Error | undefined
      try {
        await client.query('BEGIN')
        const result = await work({
          exec: async (text) => { await client.query(text) },
          query: async (text, values) => ({ rows: (await client.query(text, values)).rows }),
        })
        await client.query('COMMIT')
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch((e: Error) => { broken = e })
        throw error
      } finally {
        // A connection that could not roll back is closed rather than reused mid-transaction.
        client.release(broken)
      }
    },
    async exclusively(key, work) {
      const client = new pg.Client({ connectionString: url })
      client.on('error', (error) => console.error('[db] lock connection error:', error.message))
      await client.connect()
      try {
        await client.query('SELECT pg_advisory_lock($1)', [key])
        return await work()
      } finally {
        // Ending the session releases its advisory locks.
        await client.end().catch(() => {})
      }
    },
    async close() {
      await prisma.$disconnect()
      await pool.end()
    },
  }
}

/** One dedicated client LISTENing on `channel`; a dropped connection is re-opened after a pause. */
async function listenOn(url: string, channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
  let closed = false
  let client: pg.Client | null = null
  let retry: NodeJS.Timeout | undefined
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url })
    next.on('notification', (message) => { if (message.channel === channel && message.payload) onPayload(message.payload) })
    next.on('error', () => { /* 'end' follows and reconnects */ })
    next.on('end', () => {
      if (closed || client !== next) return
      client = null
      retry = setTimeout(() => void connect().catch(() => {}), 1000)
      retry.unref()
    })
    try {
      await next.connect()
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`)
    } catch (error) {
      await next.end().catch(() => {})
      if (closed) return
      retry = setTimeout(() => void connect().catch(() => {}), 1000)
      retry.unref()
      throw error
    }
    if (closed) await next.end().catch(() => {})
    else client = next
  }
  // Watchers still poll, so a LISTEN that cannot start yet only makes other instances' events slower.
  await connect().catch((error: Error) => console.error(`[db] LISTEN ${channel} failed (${error.message}); retrying.`))
  return async () => {
    closed = true
    clearTimeout(retry)
    await client?.end().catch(() => {})
    client = null
  }
}
