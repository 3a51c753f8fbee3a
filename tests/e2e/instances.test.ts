import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createLatticeClient } from '../../client'
import { ComfyStandIn } from '../comfy/stand-in/server'
import { MODELS } from '../db/generations-harness'
import { freshPostgres, type FreshPostgres } from './postgres'
import { ADMIN, BOOTSTRAP_TOKEN, startServer, type RunningServer } from './server'

const GENERATIONS = 20
// Hang detectors, not speed limits: a healthy run ends a generation every second or two, and
// takes over a killed instance's work within ~15 s (sweep, then pg-boss's retry delay).
const STALL_MS = 60_000
const DRAIN_MS = 180_000

/** Two built servers on one PostgreSQL database, as a studio runs them behind a load balancer. */
describe('two instances on one PostgreSQL database', () => {
  const cleanup: Array<() => Promise<unknown>> = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step().catch((e: Error) => console.error('cleanup:', e.message))
  })
  const database = async () => {
    const db = await freshPostgres('lattice_e2e_instances')
    cleanup.push(() => db.dispose())
    return db
  }
  const standIn = async () => {
    const gpu = await ComfyStandIn.start({ models: structuredClone(MODELS) })
    cleanup.push(() => gpu.stop())
    return gpu
  }
  const server = async (env: Record<string, string>, dataDir?: string) => {
    const started = await startServer({ env, dataDir })
    cleanup.push(() => started.dispose())
    return started
  }

  it('both come up when they start at the same moment on a fresh database, with one admin and one bootstrap token', async () => {
    const db = await database()
    const gpu = await standIn()
    const env = { DATABASE_URL: db.url, LATTICE_COMFY_URLS: gpu.url }
    const starts = await Promise.allSettled([startServer({ env }), startServer({ env })])
    for (const start of starts) if (start.status === 'fulfilled') cleanup.push(() => start.value.dispose())
    expect(starts.map((s) => (s.status === 'fulfilled' ? 'ready' : String(s.reason)))).toEqual(['ready', 'ready'])

    const { rows: users } = await db.pool.query<{ email: string; role: string }>('SELECT email, role FROM "User"')
    expect(users).toEqual([{ email: ADMIN.email, role: 'admin' }])
    const { rows: tokens } = await db.pool.query<{ name: string }>('SELECT name FROM "ApiToken"')
    expect(tokens).toEqual([{ name: 'bootstrap' }])
    const { rows: servers } = await db.pool.query<{ url: string }>('SELECT url FROM "ComfyServer"')
    expect(servers).toEqual([{ url: gpu.url }])
    for (const start of starts) {
      const lattice = createLatticeClient({ url: (start as PromiseFulfilledResult<RunningServer>).value.url, token: BOOTSTRAP_TOKEN })
      expect((await lattice.api.comfy.servers.list.query()).servers.map((s) => s.url)).toEqual([gpu.url])
    }
  })

  it('finishes every generation exactly once when one instance is SIGKILLed mid-run and ComfyUI runs one prompt at a time', async () => {
    const db = await database()
    const gpu = await standIn()
    // Long enough that the kill lands while the prompt runs; distinct seeds, so nothing is cached.
    gpu.behave('KSampler', { delayMs: 900, steps: 6 })
    const dataDir = await mkdtemp(join(tmpdir(), 'lattice-e2e-instances-'))
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }))
    // One data folder for both, as a real deployment shares it (outputs are served by either).
    const env = { DATABASE_URL: db.url, LATTICE_COMFY_URLS: gpu.url }
    const instances = [await server(env, dataDir), await server(env, dataDir)]
    const clients = instances.map((s) => createLatticeClient({ url: s.url, token: BOOTSTRAP_TOKEN }))
    const ids: string[] = []
    for (let i = 0; i < GENERATIONS; i++) {
      const created = await clients[i % 2]!.api.comfy.generations.create.mutate({ templateId: 'text-to-image', params: { prompt: `a paper boat ${i}`, seed: 1000 + i, steps: 6, width: 64, height: 64 } })
      ids.push(created.id)
    }

    // Kill whichever instance runs the generation ComfyUI is working on, early in its run, once
    // the queue has shown it moves: that generation is orphaned with ComfyUI's one slot.
    const { orphan, victim } = await killPoint(db, instances)
    await victim.kill()
    const survivor = instances.find((s) => s !== victim)!
    const [orphanRow] = await generations(db, [orphan])
    expect(orphanRow?.status, 'the kill landed after the generation it ran had ended').toMatch(/^(dispatched|running)$/)

    await drain(db, ids, () => [
      `SIGKILLed pid ${victim.pid} while it ran generation ${orphan}; survivor pid ${survivor.pid}.`,
      `ComfyUI stand-in: ${gpu.queued.length} prompts queued, running ${gpu.executor.running?.item[1] ?? 'nothing'}, ${gpu.executor.pending.length} pending, orphan in history: ${gpu.executor.history.has(orphan)}.`,
      `--- survivor output (tail) ---\n${survivor.output().slice(-6000)}`,
      `--- killed instance output (tail) ---\n${victim.output().slice(-3000)}`,
    ].join('\n'))

    const rows = await generations(db, ids)
    expect(rows.filter((r) => r.status !== 'succeeded')).toEqual([])
    expect(rows.filter((r) => !Array.isArray(r.outputs) || r.outputs.length !== 1).map((r) => r.id)).toEqual([])
    // A generation's events are its job's.
    const { rows: ends } = await db.pool.query<{ generationId: string; n: number }>(`SELECT g.id AS "generationId", count(*)::int AS n FROM "JobEvent" e JOIN "Generation" g ON g."jobId" = e."jobId"
      WHERE e.event->>'type' = 'status' AND e.event->>'status' IN ('succeeded', 'failed', 'cancelled') GROUP BY g.id`)
    expect(Object.fromEntries(ends.map((e) => [e.generationId, e.n]))).toEqual(Object.fromEntries(ids.map((id) => [id, 1])))
    // Each prompt reached ComfyUI once: the orphan's new run re-attached instead of submitting again.
    expect([...gpu.queued].sort()).toEqual([...ids].sort())
  }, STALL_MS + DRAIN_MS + 120_000)
})

interface Row { id: string; status: string; attempts: number; outputs: unknown; jobStatus: string | null; jobAttempts: number | null; pid: number | null }

async function generations(db: FreshPostgres, ids: string[]): Promise<Row[]> {
  // A generation's status, attempts and outputs are its job's.
  const { rows } = await db.pool.query<Row>(`SELECT g.id, j.status, j.attempts, j.result->'outputs' AS outputs, j.status AS "jobStatus", j.attempts AS "jobAttempts", i.pid
    FROM "Generation" g LEFT JOIN "Job" j ON j.id = g."jobId" LEFT JOIN "Instance" i ON i.id = j."instanceId"
    WHERE g.id = ANY($1::text[]) ORDER BY g."queuedAt", g.id`, [ids])
  return rows
}

/** The instance running a generation at its first steps on ComfyUI, once two have succeeded. */
async function killPoint(db: FreshPostgres, instances: RunningServer[]): Promise<{ orphan: string; victim: RunningServer }> {
  const deadline = Date.now() + DRAIN_MS
  while (Date.now() < deadline) {
    const { rows } = await db.pool.query<{ id: string; pid: number; done: number }>(`SELECT g.id, i.pid,
        (SELECT count(*)::int FROM "Job" WHERE kind = 'comfy.generate' AND status = 'succeeded') AS done
      FROM "Generation" g JOIN "Job" j ON j.id = g."jobId" JOIN "Instance" i ON i.id = j."instanceId"
      WHERE j.status = 'running' AND j."runId" IS NOT NULL AND (j."progressDetail"->>'step')::int <= 3`)
    const running = rows[0]
    const victim = instances.find((s) => s.pid === running?.pid)
    if (running && victim && running.done >= 2) return { orphan: running.id, victim }
    await sleep(50)
  }
  throw new Error(`No generation ran on ComfyUI within ${DRAIN_MS / 1000} s:\n${instances.map((s) => s.output().slice(-3000)).join('\n---\n')}`)
}

/** Waits until every generation has ended; fails when none ends for STALL_MS, or all take over DRAIN_MS. */
async function drain(db: FreshPostgres, ids: string[], diagnose: () => string): Promise<void> {
  const started = Date.now()
  let ended = -1
  let lastEndAt = Date.now()
  for (;;) {
    const rows = await generations(db, ids)
    const now = rows.filter((r) => ['succeeded', 'failed', 'cancelled'].includes(r.status)).length
    if (now === ids.length) return
    if (now > ended) [ended, lastEndAt] = [now, Date.now()]
    const stalled = Date.now() - lastEndAt > STALL_MS
    if (stalled || Date.now() - started > DRAIN_MS) {
      const table = rows.map((r) => `${r.id} ${r.status} attempts ${r.attempts}, job ${r.jobStatus} attempts ${r.jobAttempts} on pid ${r.pid ?? '-'}`).join('\n')
      const tally = new Map<string, number>()
      for (const r of rows) tally.set(r.status, (tally.get(r.status) ?? 0) + 1)
      const counts = [...tally].map(([status, n]) => `${n} ${status}`).join(', ')
      throw new Error(`${stalled ? `No generation ended for ${STALL_MS / 1000} s` : `Not all generations ended in ${DRAIN_MS / 1000} s`}: ${counts}.\n${table}\n${diagnose()}`)
    }
    await sleep(250)
  }
}
