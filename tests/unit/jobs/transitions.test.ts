import { describe, expect, it } from 'vitest'
import { ALLOWED_FROM, canMove } from '../../../server/jobs/transitions'
import { JOB_STATUSES, TERMINAL_JOB_STATUSES } from '../../../shared/jobs'

describe('the job state machine', () => {
  it('walks local work queued → running → retrying → running → succeeded', () => {
    const path = ['queued', 'running', 'retrying', 'running', 'succeeded'] as const
    for (let i = 1; i < path.length; i++) expect(canMove(path[i - 1]!, path[i]!)).toBe(true)
  })

  it('walks remote work queued → dispatched → running → queued again → dispatched → succeeded', () => {
    const path = ['queued', 'dispatched', 'running', 'queued', 'dispatched', 'running', 'succeeded'] as const
    for (let i = 1; i < path.length; i++) expect(canMove(path[i - 1]!, path[i]!)).toBe(true)
  })

  it('never moves an ended job (only a retry reopens it), and ends any other', () => {
    for (const ended of TERMINAL_JOB_STATUSES) for (const to of JOB_STATUSES) expect(canMove(ended, to)).toBe(false)
    for (const from of JOB_STATUSES.filter((s) => !TERMINAL_JOB_STATUSES.includes(s))) {
      for (const end of TERMINAL_JOB_STATUSES) expect(canMove(from, end)).toBe(true)
    }
  })

  it('records no repeated status except a requeue or a re-placement', () => {
    const repeatable = JOB_STATUSES.filter((s) => canMove(s, s))
    expect(repeatable).toEqual(['queued', 'dispatched'])
    // A queued job does not retry before it ran, and nothing goes back to retrying but a run.
    expect(ALLOWED_FROM.retrying).toEqual(['running'])
  })
})
