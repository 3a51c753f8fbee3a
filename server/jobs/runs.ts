import type PgBoss from 'pg-boss'
import type { SqlExecutor } from '../db/sql'

/** pg-boss's schema (its default, named so the queries below can address its job table). */
export const BOSS_SCHEMA = 'pgboss'

/** How a run's delivery ends in pg-boss: done, failed (retried by pg-boss when retries remain), or put back as it was. */
export type RunOutcome = { complete: object } | { fail: string } | { defer: number }

const HELD = `name = $1 AND id = $2 AND state = 'active' AND retry_count = $3`

/**
 * Completes one run's delivery, only if that run still holds it: the job is active and was fetched
 * as `retryCount` (pg-boss increments the count on every fetch after the first). A delivery that
 * was handed back and fetched again by another worker is left alone. One statement, as pg-boss's
 * own `complete` does it.
 */
export async function completeRun(sql: SqlExecutor, kind: string, id: string, retryCount: number): Promise<void> {
  await sql.query(`UPDATE ${BOSS_SCHEMA}.job SET state = 'completed', completed_on = now(), output = '{}'::jsonb WHERE ${HELD}`, [kind, id, retryCount])
}

/**
 * Puts a delivery back in the queue as it was before this run fetched it: same place (its
 * creation time is kept), same retry count (a fetch counts a retry only when the job had started),
 * available again after `delayMs`. For a run that could not start its work yet.
 */
export async function deferRun(sql: SqlExecutor, kind: string, id: string, retryCount: number, delayMs: number): Promise<void> {
  await sql.query(`UPDATE ${BOSS_SCHEMA}.job SET state = 'created', started_on = NULL, start_after = now() + $4::int * interval '1 millisecond' WHERE ${HELD}`, [kind, id, retryCount, Math.max(0, Math.round(delayMs))])
}

/**
 * Fails one run's delivery (pg-boss retries it with back-off while retries remain) inside the
 * caller's transaction, only if that run still holds it. Returns the job's new state, or null
 * when the run no longer held it.
 *
 * pg-boss's queue cache must be warm (any earlier call for this queue): inside a PGlite
 * transaction it could not load it.
 */
export async function settleRun(boss: PgBoss, sql: SqlExecutor, kind: string, id: string, retryCount: number, outcome: { fail: string }): Promise<string | null> {
  const locate = `SELECT state, retry_count FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND id = $2`
  const { rows } = await sql.query<{ state: string; retry_count: number }>(`${locate} FOR UPDATE`, [kind, id])
  const held = rows[0]
  if (held?.state !== 'active' || Number(held.retry_count) !== retryCount) return null
  const db = { executeSql: (text: string, values: unknown[]) => sql.query(text, values) }
  await boss.fail(kind, id, { message: outcome.fail }, { db })
  const { rows: after } = await sql.query<{ state: string }>(locate, [kind, id])
  return after[0]?.state ?? null
}
