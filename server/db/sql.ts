/**
 * The raw SQL surface shared by the migrator and the job queue, so both run unchanged on
 * PGlite and on a PostgreSQL server.
 */
export interface SqlExecutor {
  /** Runs one or more statements without parameters (migrations, schema installs). */
  exec(text: string): Promise<void>
  /**
   * Runs one parameterised statement. A `Uint8Array` given for a text parameter is sent as its
   * UTF-8 bytes, which is cheaper than a string for large texts.
   */
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: T[] }>
}
