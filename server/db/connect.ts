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
  close(): Promise<void>
}

/** Opens the configured database. Nothing is migrated here: see migrate.ts. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === 'pglite' ? openPGlite(config.dataDir) : openPostgres(config.url)
}

// PGlite measures every string parameter character by character in JavaScript (twice), ~50 ms
// for a 5 MB document; bytes given for a text parameter go as they are (binary format, which
// for text is its UTF-8 bytes), as node-postgres sends them too.
const TEXT_OID = 25
const TEXT_FROM_BYTES = { serializers: { [TEXT_OID]: (value: unknown) => (value instanceof Uint8Array ? value : String(value)) as string } }

async function openPGlite(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true })
  const pglite = await PGlite.create(dataDir)
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) })
  const sql: SqlExecutor = {
    // PGlite's query() takes one statement; multi-statement scripts go through exec().
    exec: async (text) => { await pglite.exec(text) },
    query: async (text, values) => {
      const result = await pglite.query(text, values as unknown[] | undefined, TEXT_FROM_BYTES)
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
    transaction: (work) => pglite.transaction((tx) => work({
      exec: async (text) => { await tx.exec(text) },
      query: async (text, values) => ({ rows: (await tx.query(text, values as unknown[] | undefined, TEXT_FROM_BYTES)).rows as never[] }),
    })),
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
