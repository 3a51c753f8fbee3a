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
