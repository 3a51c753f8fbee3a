import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { PrismaPGlite } from 'pglite-prisma-adapter'
import { PrismaClient } from './generated/client'
import { PGLITE_START_PARAMS } from './pglite-settings'
import type { Database } from './connect'
import type { SqlExecutor } from './sql'

// PGlite measures every string parameter character by character in JavaScript (twice), ~50 ms
// for a 5 MB document; bytes given for a text parameter go as they are (binary format, which
// for text is its UTF-8 bytes), as node-postgres sends them too.
const TEXT_OID = 25
const TEXT_FROM_BYTES = { serializers: { [TEXT_OID]: (value: unknown) => (value instanceof Uint8Array ? value : String(value)) as string } }

export async function openPGlite(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true })
  const pglite = await PGlite.create(dataDir, { startParams: PGLITE_START_PARAMS })
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
    listen: async () => async () => {},
    exclusively: (_key, work) => work(),
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
