/** A throwaway database on a PostgreSQL server, so the bench can run Lattice on PostgreSQL too. */
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export const DEFAULT_POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres'

export interface BenchDatabase {
  url: string
  drop(): Promise<void>
}

async function asAdmin(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/** Creates `lattice_bench_<random>` on the server `adminUrl` points at (a role that may create databases). */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `lattice_bench_${randomBytes(6).toString('hex')}`
  await asAdmin(adminUrl, `CREATE DATABASE ${name}`)
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: () => asAdmin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}
