import { randomBytes } from 'node:crypto'
import pg from 'pg'

const ADMIN_URL = process.env.LATTICE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface FreshPostgres {
  /** DATABASE_URL for the servers under test. */
  url: string
  /** A few connections of the test's own, to look at what the servers wrote. */
  pool: pg.Pool
  dispose(): Promise<void>
}

/** A new, empty database on the local PostgreSQL server; the servers started on it migrate it. */
export async function freshPostgres(prefix = 'lattice_e2e'): Promise<FreshPostgres> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  await admin(`CREATE DATABASE ${name}`)
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 })
  pool.on('error', () => {})
  return {
    url: url.toString(),
    pool,
    dispose: async () => {
      await pool.end()
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    },
  }
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
