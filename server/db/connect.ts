import type { PrismaClient } from './generated/client'
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

/**
 * Opens the configured database. Nothing is migrated here: see migrate.ts. Each kind's driver is
 * imported only when it is used, so a PostgreSQL deployment never loads PGlite and vice versa.
 */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  if (config.kind === 'pglite') return (await import('./pglite')).openPGlite(config.dataDir)
  return (await import('./postgres')).openPostgres(config.url)
}
