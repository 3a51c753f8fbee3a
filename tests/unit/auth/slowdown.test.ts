import { describe, expect, it } from 'vitest'
import { slowdownMs } from '../../../server/services/auth/auth.service'
import { FailureRateLimiter } from '../../../server/services/auth/rate-limit'

describe('sign-in slowdown for an account under attack', () => {
  it('does not slow the first five failures, then adds 250 ms each, up to 5 s', () => {
    expect([0, 5, 6, 9, 25, 1000].map(slowdownMs)).toEqual([0, 0, 250, 1000, 5000, 5000])
  })

  it('counts failures within the window only', () => {
    const limiter = new FailureRateLimiter(Number.POSITIVE_INFINITY, 1000)
    limiter.fail(['a'], 0)
    limiter.fail(['a'], 500)
    expect(limiter.count('a', 900)).toBe(2)
    expect(limiter.count('a', 1200)).toBe(1)
    expect(limiter.count('a', 2000)).toBe(0)
  })
})
