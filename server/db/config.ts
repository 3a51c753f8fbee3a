import { resolve } from 'node:path'

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string }
  | { kind: 'postgres'; url: string }

/** Embedded PGlite under the data dir unless DATABASE_URL names a PostgreSQL server. */
export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const url = env.DATABASE_URL?.trim()
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (got "${url.split(':')[0]}:…"). Unset it to use the embedded database.`)
    }
    return { kind: 'postgres', url }
  }
  return { kind: 'pglite', dataDir: resolve(dataDirFromEnv(env), 'db') }
}

export function dataDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LATTICE_DATA_DIR?.trim() || './data')
}
