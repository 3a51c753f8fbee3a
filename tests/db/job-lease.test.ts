import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthService } from '../../server/services/auth/auth.service'
import { JobQueue } from '../../server/jobs/queue'
import type { JobDefinition } from '../../server/jobs/types'
import { BACKENDS, freshDatabase } from './harness'

const base = { kind: 'asset.process' as const, retryLimit: 2, retryDelaySeconds: 1, expireInSeconds: 1, concurrency: 1 }

describe.each(BACKENDS)('job leases on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let owner: string
  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    owner = (await new AuthService(ctx.db).createUser({ email: 'lease@example.com', password: 'password-l' })).id
  })
  afterAll(async () => ctx?.dispose())

  it('hands a job whose run hangs past its lease to another worker, which finishes it once', async () => {
    let started!: () => void
    const firstStarted = new Promise<void>((resolve) => { started = resolve })
    const stuck: JobDefinition = { ...base, run: () => { started(); return new Promise(() => {}) } }
    let runs = 0
    const healthy: JobDefinition = { ...base, run: async () => { runs++; return { ok: true } } }

    const dying = new JobQueue(ctx.db, [stuck], { pollingIntervalSeconds: 0.5, superviseIntervalSeconds: 60, stopGraceMs: 100 })
    await dying.start()
    const job = await dying.enqueue('asset.process', { ownerId: owner, input: {} })
    await firstStarted
    // The first run hangs and its process never supervises again; it still heartbeats, so only the lease frees the job.
    await (dying as unknown as { boss: { stop(o: object): Promise<void> } }).boss.stop({ graceful: false, close: false, wait: false })

    const survivor = new JobQueue(ctx.db, [healthy], { pollingIntervalSeconds: 0.5, superviseIntervalSeconds: 1 })
    await survivor.start()
    try {
      const statuses: string[] = []
      for await (const envelope of survivor.events.watch(job.id, 0)) {
        if (envelope.event.type === 'status') statuses.push(envelope.event.status)
      }
      expect(statuses.at(-1)).toBe('succeeded')
      expect(statuses.filter((s) => s === 'running')).toHaveLength(2)
      expect(runs).toBe(1)
      const row = await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: job.id } })
      expect(row).toMatchObject({ status: 'succeeded', attempts: 2 })
    } finally {
      await survivor.stop()
      await dying.stop()
    }
  }, 60_000)
})
