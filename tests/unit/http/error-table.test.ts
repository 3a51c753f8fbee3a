import { getHTTPStatusCodeFromError } from '@trpc/server/http'
import { describe, expect, it } from 'vitest'
import { AppError, type AppErrorCode } from '../../../shared/errors'
import { HTTP_STATUS, asAppError } from '../../../server/errors'
import { toTRPCError } from '../../../server/trpc/errors'

describe('the one error table', () => {
  it('gives tRPC procedures and plain HTTP routes the same status and message for every code', () => {
    for (const code of Object.keys(HTTP_STATUS) as AppErrorCode[]) {
      const mapped = toTRPCError(new AppError(code, `a ${code} sentence`))
      expect(mapped.code).toBe(code)
      expect(mapped.message).toBe(`a ${code} sentence`)
      expect(getHTTPStatusCodeFromError(mapped)).toBe(HTTP_STATUS[code])
    }
  })

  it('answers text the database cannot store as 400 and an unreachable database as 503, on either kind of route', () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' })
    expect(asAppError(nul)?.code).toBe('BAD_REQUEST')
    expect(toTRPCError(nul).code).toBe('BAD_REQUEST')
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
    expect(asAppError(refused)?.code).toBe('SERVICE_UNAVAILABLE')
    expect(toTRPCError(refused).message).toMatch(/database cannot be reached/)
  })

  it('hides a bug behind a plain 500 that says it was logged', () => {
    const errors: unknown[] = []
    const log = console.error
    console.error = (...args: unknown[]) => errors.push(args)
    try {
      const bug = new TypeError("Cannot read properties of undefined (reading 'x')")
      expect(asAppError(bug)).toBeNull()
      const mapped = toTRPCError(bug)
      expect(mapped.code).toBe('INTERNAL_SERVER_ERROR')
      expect(mapped.message).not.toContain('undefined')
      expect(errors).toHaveLength(1)
    } finally {
      console.error = log
    }
  })
})
