import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AuthService } from '../../server/services/auth/auth.service'
import { BACKENDS, freshDatabase } from './harness'

describe.each(BACKENDS)('auth on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let auth: AuthService
  beforeAll(async () => { ctx = await freshDatabase(backend); auth = new AuthService(ctx.db) })
  afterAll(async () => ctx?.dispose())

  it('bootstraps the admin and token once, and signs in with a session', async () => {
    const done = await auth.bootstrap({ adminEmail: 'Admin@Example.com', adminPassword: 'correct horse', bootstrapToken: 'lat_bootstrap_token_for_tests_0001' })
    expect(done).toHaveLength(2)
    expect(await auth.bootstrap({ adminEmail: 'other@example.com', adminPassword: 'whatever1', bootstrapToken: 'lat_another_token_000000000' })).toEqual([])
    const admin = await auth.userForToken('lat_bootstrap_token_for_tests_0001')
    expect(admin?.email).toBe('admin@example.com')
    const { sessionSecret, user } = await auth.signIn({ email: 'admin@example.com', password: 'correct horse', ip: '1.1.1.1' })
    expect(user.role).toBe('admin')
    expect((await auth.userForSession(sessionSecret))?.id).toBe(user.id)
    await auth.signOut(sessionSecret)
    expect(await auth.userForSession(sessionSecret)).toBeNull()
  })

  it('rate limits failed sign-ins per email', async () => {
    await auth.createUser({ email: 'victim@example.com', password: 'password-1' })
    for (let i = 0; i < 5; i++) {
      await expect(auth.signIn({ email: 'victim@example.com', password: 'wrong', ip: '2.2.2.2' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    }
    await expect(auth.signIn({ email: 'victim@example.com', password: 'password-1', ip: '2.2.2.2' })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' })
  })

  it('locks an email and address pair, not the account: the right password from another address still signs in', async () => {
    await auth.createUser({ email: 'target@example.com', password: 'password-3' })
    for (let i = 0; i < 5; i++) {
      await expect(auth.signIn({ email: 'target@example.com', password: 'wrong', ip: '6.6.6.6' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    }
    await expect(auth.signIn({ email: 'target@example.com', password: 'password-3', ip: '6.6.6.6' })).rejects.toMatchObject({ code: 'TOO_MANY_REQUESTS' })
    const { user } = await auth.signIn({ email: 'target@example.com', password: 'password-3', ip: '7.7.7.7' })
    expect(user.email).toBe('target@example.com')
  })

  it('creates, lists and revokes API tokens; a revoked token no longer authenticates', async () => {
    const user = await auth.createUser({ email: 'script@example.com', password: 'password-2' })
    const { token, info } = await auth.createToken(user.id, 'ci')
    expect(token.startsWith(info.prefix)).toBe(true)
    expect((await auth.userForToken(token))?.id).toBe(user.id)
    expect((await auth.listTokens(user.id)).map((t) => t.name)).toEqual(['ci'])
    await auth.revokeToken(user.id, info.id)
    expect(await auth.userForToken(token)).toBeNull()
    await expect(auth.revokeToken(user.id, info.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
