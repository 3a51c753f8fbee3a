import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../server/db/connect'
import { JobEventLog } from '../../server/jobs/events'
import { JobQueue } from '../../server/jobs/queue'
import type { JobDefinition } from '../../server/jobs/types'
import { AuthService } from '../../server/services/auth/auth.service'
import type { JobEventEnvelope } from '../../shared/jobs'
import { BACKENDS, freshDatabase } from './harness'

// Watchers here never poll (an hour between polls): only announcements can bring them events, so
// a lost wake-up hangs the watch and the test fails on its time limit.
const NEVER = 3_600_000

/** A job that reports progress as fast as it can, so events land while the watcher reads. */
function chattyJob(steps: number): JobDefinition {
  return {
    kind: 'asset.process', retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60, concurrency: 4,
    run: async (ctx) => {
      for (let i = 1; i <= steps; i++) await ctx.progress(i / (steps + 1), { stage: `step ${i}` })
      return { steps }
    },
  }
}

async function watchAll(log: JobEventLog, jobId: string): Promise<JobEventEnvelope[]> {
  const events: JobEventEnvelope[] = []
  for await (const envelope of log.watch(jobId, 0)) events.push(envelope)
  return events
}

describe.each(BACKENDS)('the job event log on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let owner: string
  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    owner = (await new AuthService(ctx.db).createUser({ email: 'watch@example.com', password: 'password-w' })).id
  })
  afterAll(async () => ctx?.dispose())

  it('delivers every event of a job run in this process to its end without polling, in order', async () => {
    const queue = new JobQueue(ctx.db, [chattyJob(40)], { pollingIntervalSeconds: 0.2 })
    await queue.start()
    try {
      const log = new JobEventLog(ctx.db, queue.announcer, NEVER)
      const jobs = await Promise.all(Array.from({ length: 4 }, () => queue.enqueue('asset.process', { ownerId: owner, input: {} })))
      const streams = await Promise.all(jobs.map((job) => watchAll(log, job.id)))
      for (const events of streams) {
        const ids = events.map((e) => e.id)
        expect(ids).toEqual([...ids].sort((a, b) => a - b))
        expect(events.filter((e) => e.event.type === 'progress' && e.event.stage?.startsWith('step '))).toHaveLength(40)
        expect(events.at(-1)?.event).toMatchObject({ type: 'status', status: 'succeeded' })
      }
    } finally {
      await queue.stop()
    }
  })
})

describe('the job event log across instances on postgres', () => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let other: Database
  let owner: string
  beforeAll(async () => {
    ctx = await freshDatabase('postgres')
    // Another instance: its own connections to the same database.
    other = await openDatabase({ kind: 'postgres', url: ctx.url! })
    owner = (await new AuthService(ctx.db).createUser({ email: 'watch-other@example.com', password: 'password-w' })).id
  })
  afterAll(async () => {
    await other?.close()
    await ctx?.dispose()
  })

  it('wakes a watcher on one instance for a job run on another, without polling', async () => {
    // This instance only enqueues and watches; the other runs the job.
    const watching = new JobQueue(ctx.db, [chattyJob(5)], { worker: false })
    const running = new JobQueue(other, [chattyJob(5)], { pollingIntervalSeconds: 0.2 })
    await watching.start()
    await running.start()
    try {
      const log = new JobEventLog(ctx.db, watching.announcer, NEVER)
      const job = await watching.enqueue('asset.process', { ownerId: owner, input: {} })
      const events = await watchAll(log, job.id)
      expect(events.map((e) => (e.event.type === 'status' ? e.event.status : e.event.type))).toEqual(['queued', 'running', 'progress', 'progress', 'progress', 'progress', 'progress', 'progress', 'result', 'succeeded'])
    } finally {
      await running.stop()
      await watching.stop()
    }
  })
})
