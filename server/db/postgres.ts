import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient } from './generated/client'
import type { Database } from './connect'
import type { SqlExecutor } from './sql'

export async function openPostgres(url: string): Promise<Database> {
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
