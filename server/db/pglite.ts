import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { PrismaClient } from './generated/client'
import type { Database } from './connect'
import type { SqlExecutor } from './sql'

/**
 * PGlite starts PostgreSQL with a server's defaults, and in WASM every page of shared memory is
 * zeroed, so resident: 128 MB of shared buffers alone. One process with one connection and a
 * small database reads through the OS page cache just as well; 16 MB keeps the catalog and the
 * hot rows, and leaves the WASM heap at its 128 MB minimum (of which ~30 MB is touched).
 */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB']

export async function openPGlite(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true })
  const pglite = await PGlite.create(dataDir, { startParams: PGLITE_START_PARAMS })
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
    transaction: (work) => pglite.transaction((tx) => work({
      exec: async (text) => { await tx.exec(text) },
      query: async (text, values) => ({ rows: (await tx.query(text, values as unknown[] | undefined)).rows as never[] }),
    })),
    async close() {
      await prisma.$disconnect()
      if (!pglite.closed) await pglite.close()
    },
  }
}
