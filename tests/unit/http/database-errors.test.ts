import { describe, expect, it } from 'vitest'
import { isDatabaseUnavailable } from '../../../server/db/errors'

describe('isDatabaseUnavailable', () => {
  it('recognises unreachable servers as Prisma, driver adapters, pg and sockets report them', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('Can’t reach database server'), { code: 'P1001' }))).toBe(true)
    expect(isDatabaseUnavailable({ message: 'x', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } })).toBe(true)
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }))).toBe(true)
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true)
  })
  it('leaves query errors alone', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('Unique constraint failed'), { code: 'P2002' }))).toBe(false)
    expect(isDatabaseUnavailable({ meta: { driverAdapterError: { cause: { kind: 'UniqueConstraintViolation' } } } })).toBe(false)
    expect(isDatabaseUnavailable(new Error('syntax error at or near "SELEC"'))).toBe(false)
    expect(isDatabaseUnavailable(null)).toBe(false)
  })
})
