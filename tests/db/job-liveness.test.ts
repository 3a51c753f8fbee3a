import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import type PgBoss from 'pg-boss'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../server/db/connect'
import { JobQueue, type JobQueueOptions } from '../../server/jobs/queue'
import { JobReleased, type JobDefinition } from '../../server/jobs/types'
import { AuthService } from '../../server/services/auth/auth.service'
import { BACKENDS, freshDatabase } from './harness'

// The lease (an hour) is far beyond every wait here: only liveness can hand these jobs over.
const base = { kind: 'asset.process' as const, retryLimit: 3, retryDelaySeconds: 1, expireInSeconds: 3600, concurrency: 1 }
const QUICK = { heartbeatIntervalMs: 100, letGoAfterMs: 600, staleAfterMs: 1500 }

/** What SIGKILL leaves behind: no more heartbeats or sweeps, and a run that never settles by itself. */
function halt(queue: JobQueue): void {
  const internals = queue as unknown as { timers: NodeJS.Timeout[]; boss: PgBoss; liveness: { beatTimer: NodeJS.Timeout; letGoTimer: NodeJS.Timeout } }
  for (const timer of internals.timers) clearInterval(timer)
  clearInterval(internals.liveness.beatTimer)
  clearTimeout(internals.liveness.letGoTimer)
  void internals.boss.stop({ graceful: false, close: false, wait: false })
}

/** A run that blocks until the test lets it go, like a process frozen mid-job, then fails. */
function blockingRun() {
  let started!: () => void
  let release!: () => void
  const startedOnce = new Promise<void>((resolve) => { started = resolve })
  const released = new Promise<void>((resolve) => { release = resolve })
  const definition: JobDefinition = { ...base, run: async () => { started(); await released; throw new Error('woke up to a closed connection') } }
  return { definition, startedOnce, release }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20))

async function bossState(db: Database, id: string) {
  const { rows } = await db.sql.query<{ state: string; retry_count: number }>('SELECT state, retry_count FROM pgboss.job WHERE id = $1', [id])
  return rows[0]
}

async function statusesOf(queue: JobQueue, jobId: string) {
  const statuses: string[] = []
  for await (const envelope of queue.events.watch(jobId, 0)) if (envelope.event.type === 'status') statuses.push(envelope.event.status)
  return statuses
}

describe.each(BACKENDS)('instance liveness on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let owner: string
  const queues: JobQueue[] = []
  const queue = async (definitions: JobDefinition[], options: JobQueueOptions, db?: Database) => {
    const q = new JobQueue(db ?? ctx.db, definitions, { pollingIntervalSeconds: 0.2, superviseIntervalSeconds: 3600, stopGraceMs: 200, ...options })
    await q.start()
    queues.push(q)
    return q
  }
  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    owner = (await new AuthService(ctx.db).createUser({ email: 'liveness@example.com', password: 'password-l' })).id
  })
  afterEach(async () => {
    for (const q of queues.splice(0).reverse()) await q.stop()
  })
  afterAll(async () => ctx?.dispose())

  it('takes over a job whose instance stopped heartbeating and finishes it once, even if the frozen run wakes meanwhile', async () => {
    const frozen = blockingRun()
    const dead = await queue([frozen.definition], { liveness: QUICK })
    const job = await dead.enqueue('asset.process', { ownerId: owner, input: {} })
    await frozen.startedOnce
    expect(await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'running', instanceId: dead.instanceId })
    halt(dead)

    let runs = 0
    let eventsBeforeWaking = 0
    const frozenRunsLeft = () => (dead as unknown as { running: Map<string, unknown> }).running.size
    const survivor = await queue([{
      ...base,
      run: async (ctx2) => {
        runs++
        // While this run holds the job, the frozen one wakes, fails, and must change nothing.
        eventsBeforeWaking = await ctx.db.prisma.jobEvent.count({ where: { jobId: ctx2.jobId } })
        frozen.release()
        while (frozenRunsLeft() > 0) await settle()
        expect(await bossState(ctx.db, ctx2.jobId)).toEqual({ state: 'active', retry_count: 1 })
        expect(await ctx.db.prisma.jobEvent.count({ where: { jobId: ctx2.jobId } })).toBe(eventsBeforeWaking)
        return { from: 'the survivor' }
      },
    }], { liveness: QUICK })
    const statuses = await statusesOf(survivor, job.id)
    expect(statuses).toEqual(['queued', 'running', 'retrying', 'running', 'succeeded'])
    expect(runs).toBe(1)
    const row = await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: job.id } })
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2, instanceId: survivor.instanceId, result: { from: 'the survivor' } })
    // pg-boss's record is settled just after the Job row.
    await expect.poll(() => bossState(ctx.db, job.id), { timeout: 10_000, interval: 50 }).toEqual({ state: 'completed', retry_count: 1 })
    // The dead instance's record is gone once nothing of it is left running.
    expect(await ctx.db.prisma.instance.findUnique({ where: { id: dead.instanceId! } })).toBeNull()
  })

  it.each([
    ['the embedded database is exclusive', { exclusiveDatabase: true }],
    ['its process is provably gone from this machine', {}],
  ])('takes over a predecessor\'s jobs at start, without waiting for the stale threshold, when %s', async (_, extra) => {
    const frozen = blockingRun()
    const predecessor = await queue([frozen.definition], { liveness: { heartbeatIntervalMs: 100, staleAfterMs: 10 * 60_000 } })
    const job = await predecessor.enqueue('asset.process', { ownerId: owner, input: {} })
    await frozen.startedOnce
    halt(predecessor)
    if (!('exclusiveDatabase' in extra)) {
      // Record the predecessor as a process of this machine that has since exited.
      const exited = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'])
      const pid = exited.pid!
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
      const processStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!
      exited.kill('SIGKILL')
      await new Promise((resolve) => exited.once('exit', resolve))
      await ctx.db.prisma.instance.update({ where: { id: predecessor.instanceId! }, data: { pid, processStart } })
    }

    let runs = 0
    const restarted = await queue([{ ...base, run: async () => { runs++; return {} } }], { liveness: { heartbeatIntervalMs: 100, staleAfterMs: 10 * 60_000, ...extra } })
    expect(await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'retrying' })
    expect(await statusesOf(restarted, job.id)).toEqual(['queued', 'running', 'retrying', 'running', 'succeeded'])
    expect(runs).toBe(1)
    frozen.release()
  })

  it('keeps a live instance\'s jobs', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => { release = resolve })
    let started!: () => void
    const startedOnce = new Promise<void>((resolve) => { started = resolve })
    let runs = 0
    const definition: JobDefinition = { ...base, run: async () => { runs++; started(); await released; return {} } }
    const live = await queue([definition], { liveness: QUICK })
    const job = await live.enqueue('asset.process', { ownerId: owner, input: {} })
    await startedOnce
    const other = await queue([definition], { liveness: { ...QUICK, exclusiveDatabase: false } })
    // Several stale thresholds pass while both sweep.
    for (let i = 0; i < 30; i++) {
      await other.sweep()
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: 'running', instanceId: live.instanceId })
    release()
    expect((await statusesOf(other, job.id)).at(-1)).toBe('succeeded')
    expect(runs).toBe(1)
  })

  it('lets go of its jobs when it cannot record its heartbeat, before any other instance takes them over', async () => {
    // This instance's database connection fails every heartbeat once `outage` is set.
    let outage = false
    const flaky: Database = {
      ...ctx.db,
      sql: { ...ctx.db.sql, query: (text, values) => (outage && text.includes('INTO "Instance"') ? Promise.reject(new Error('connection lost')) : ctx.db.sql.query(text, values)) },
    }
    let runs = 0
    let takenOverWhenReleased: boolean | undefined
    let started!: () => void
    const startedOnce = new Promise<void>((resolve) => { started = resolve })
    const definition: JobDefinition = {
      ...base,
      run: async (job) => {
        runs++
        if (runs > 1) return { from: 'the second run' }
        started()
        await new Promise<void>((resolve) => job.signal.addEventListener('abort', () => resolve(), { once: true }))
        expect(job.signal.reason).toBeInstanceOf(JobReleased)
        const row = await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: job.jobId } })
        takenOverWhenReleased = row.status !== 'running'
        throw job.signal.reason
      },
    }
    const cutOff = await queue([definition], { liveness: QUICK }, flaky)
    const job = await cutOff.enqueue('asset.process', { ownerId: owner, input: {} })
    await startedOnce
    const survivor = await queue([definition], { liveness: QUICK })
    outage = true
    const statuses = await statusesOf(survivor, job.id)
    expect(takenOverWhenReleased).toBe(false)
    expect(statuses).toEqual(['queued', 'running', 'retrying', 'running', 'succeeded'])
    expect(runs).toBe(2)
    expect(await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ instanceId: survivor.instanceId, result: { from: 'the second run' } })
    outage = false
  })

  it('removes its instance record on a clean stop', async () => {
    const q = new JobQueue(ctx.db, [{ ...base, run: async () => ({}) }], { liveness: QUICK })
    await q.start()
    const id = q.instanceId!
    expect(await ctx.db.prisma.instance.findUnique({ where: { id } })).not.toBeNull()
    await q.stop()
    expect(await ctx.db.prisma.instance.findUnique({ where: { id } })).toBeNull()
  })
})
