import { resolve } from 'node:path'

export type DatabaseConfig =
  /** `snapshot`: a folder from `nuxt build` that a new data dir starts from (see snapshot.ts). */
  | { kind: 'pglite'; dataDir: string; snapshot?: string }
  | { kind: 'postgres'; url: string }

/** Embedded PGlite under the data dir unless DATABASE_URL names a PostgreSQL server. */
export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env, build: { snapshot?: string } = {}): DatabaseConfig {
  const url = env.DATABASE_URL?.trim()
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new Error(`DATABASE_URL must start with postgres:// or postgresql:// (got "${url.split(':')[0]}:…"). Unset it to use the embedded database.`)
    }
    return { kind: 'postgres', url }
  }
  return { kind: 'pglite', dataDir: resolve(dataDirFromEnv(env), 'db'), snapshot: build.snapshot }
}

export function dataDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LATTICE_DATA_DIR?.trim() || './data')
}
