import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JobQueue } from '../../server/jobs/queue'
import type { JobDefinition } from '../../server/jobs/types'
import { AuthService } from '../../server/services/auth/auth.service'
import { BACKENDS, freshDatabase } from './harness'

describe.each(BACKENDS)('job pick-up on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let owner: string
  beforeAll(async () => {
    ctx = await freshDatabase(backend)
    owner = (await new AuthService(ctx.db).createUser({ email: 'wake@example.com', password: 'password-w' })).id
  })
  afterAll(async () => ctx?.dispose())

  it('starts a job enqueued in this process at once, not at the next poll', async () => {
    let ran = 0
    const definition: JobDefinition = { kind: 'asset.process', retryLimit: 0, retryDelaySeconds: 1, expireInSeconds: 60, concurrency: 1, run: async () => ({ ran: ++ran }) }
    // An hour between polls: only the wake-up from enqueue can start these within the test's time.
    const queue = new JobQueue(ctx.db, [definition], { pollingIntervalSeconds: 3600, superviseIntervalSeconds: 3600 })
    await queue.start()
    try {
      for (let i = 0; i < 2; i++) {
        const job = await queue.enqueue('asset.process', { ownerId: owner, input: {} })
        const statuses: string[] = []
        for await (const envelope of queue.events.watch(job.id, 0)) if (envelope.event.type === 'status') statuses.push(envelope.event.status)
        expect(statuses).toEqual(['queued', 'running', 'succeeded'])
      }
      expect(ran).toBe(2)
    } finally {
      await queue.stop()
    }
  })
})
