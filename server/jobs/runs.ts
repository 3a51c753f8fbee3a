import type PgBoss from 'pg-boss'
import type { SqlExecutor } from '../db/sql'

/** pg-boss's schema (its default, named so the queries below can address its job table). */
export const BOSS_SCHEMA = 'pgboss'

export type RunOutcome = { complete: object } | { fail: string }

/**
 * Completes or fails one run of a pg-boss job inside the caller's transaction, only if that run
 * still holds it: the job is active and was fetched as `retryCount` (pg-boss increments the count
 * on every fetch after the first). A run that was handed back and fetched again by another worker
 * settles nothing, so it can neither complete nor fail the new run. Returns the job's new state,
 * or null when the run no longer held it.
 *
 * pg-boss's queue cache must be warm (any earlier call for this queue): inside a PGlite
 * transaction it could not load it.
 */
export async function settleRun(boss: PgBoss, sql: SqlExecutor, kind: string, id: string, retryCount: number, outcome: RunOutcome): Promise<string | null> {
  const locate = `SELECT state, retry_count FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND id = $2`
  const { rows } = await sql.query<{ state: string; retry_count: number }>(`${locate} FOR UPDATE`, [kind, id])
  const held = rows[0]
  if (held?.state !== 'active' || Number(held.retry_count) !== retryCount) return null
  const db = { executeSql: (text: string, values: unknown[]) => sql.query(text, values) }
  if ('fail' in outcome) await boss.fail(kind, id, { message: outcome.fail }, { db })
  else await boss.complete(kind, id, outcome.complete, { db })
  const { rows: after } = await sql.query<{ state: string }>(locate, [kind, id])
  return after[0]?.state ?? null
}
