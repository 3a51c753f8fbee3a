import type { Database } from '../../db/connect'
import { AppError } from '../../../shared/errors'
import { LIMITS } from '../../../shared/limits'
import { hashPassword, verifyPassword, MIN_PASSWORD_LENGTH } from './passwords'
import type { SignInInput, UserCreateInput } from '../../../shared/schemas/auth'
import { digest, newApiTokenSecret, newSessionSecret, TOKEN_PREFIX } from './secrets'
import { FailureRateLimiter } from './rate-limit'

export interface AuthUser {
  id: string
  email: string
  name: string
  role: string
}

const SESSION_DAYS = 30
// Hashed once so unknown emails take as long as wrong passwords.
const DUMMY_HASH = hashPassword('lattice-timing-equaliser')

export class AuthService {
  /**
   * Lockout is per account **and** address together: five wrong passwords for an email from one
   * address lock that pair for 15 minutes, not the account, so nobody can lock a colleague out by
   * guessing from elsewhere. An address is also limited over all accounts (30), and an account
   * under attack from many addresses is slowed (up to 5 s an attempt), never locked.
   */
  readonly limiter = new FailureRateLimiter(5, 15 * 60_000)
  private readonly ipLimiter = new FailureRateLimiter(30, 15 * 60_000)
  private readonly accountFailures = new FailureRateLimiter(Number.POSITIVE_INFINITY, 15 * 60_000)

  constructor(private readonly db: Database) {}

  async createUser(input: UserCreateInput): Promise<AuthUser> {
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw new AppError('BAD_REQUEST', `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`)
    }
    const email = input.email.trim().toLowerCase()
    const existing = await this.db.prisma.user.findUnique({ where: { email } })
    if (existing) throw new AppError('CONFLICT', `A user with email ${email} already exists.`)
    const user = await this.db.prisma.user.create({
      data: { email, name: input.name ?? email.split('@')[0] ?? email, role: input.role ?? 'user', passwordHash: await hashPassword(input.password) },
    })
    return pick(user)
  }

  /** Checks the password; on success returns the session secret for the cookie. */
  async signIn(input: SignInInput & { ip: string; userAgent?: string }): Promise<{ user: AuthUser; sessionSecret: string; expiresAt: Date }> {
    const email = input.email.trim().toLowerCase()
    const keys = [`email:${email}|ip:${input.ip}`]
    this.limiter.check(keys)
    this.ipLimiter.check([`ip:${input.ip}`])
    const delay = slowdownMs(this.accountFailures.count(`email:${email}`))
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay))
    const user = await this.db.prisma.user.findUnique({ where: { email } })
    const ok = user ? await verifyPassword(input.password, user.passwordHash) : (await verifyPassword(input.password, await DUMMY_HASH), false)
    if (!user || !ok) {
      this.limiter.fail(keys)
      this.ipLimiter.fail([`ip:${input.ip}`])
      this.accountFailures.fail([`email:${email}`])
      throw new AppError('UNAUTHORIZED', 'The email or password is wrong.')
    }
    this.limiter.reset(keys[0]!)
    const sessionSecret = newSessionSecret()
    const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000)
    await this.db.prisma.session.create({ data: { id: digest(sessionSecret), userId: user.id, expiresAt, userAgent: input.userAgent?.slice(0, 300) } })
    return { user: pick(user), sessionSecret, expiresAt }
  }

  async signOut(sessionSecret: string): Promise<void> {
    await this.db.prisma.session.deleteMany({ where: { id: digest(sessionSecret) } })
  }

  async userForSession(sessionSecret: string): Promise<AuthUser | null> {
    const session = await this.db.prisma.session.findUnique({ where: { id: digest(sessionSecret) }, include: { user: true } })
    if (!session) return null
    if (session.expiresAt < new Date()) {
      await this.db.prisma.session.deleteMany({ where: { id: session.id } })
      return null
    }
    return pick(session.user)
  }

  async userForToken(token: string): Promise<AuthUser | null> {
    if (!token.startsWith(TOKEN_PREFIX)) return null
    // Every script request comes through here: one statement, the token with its user.
    const { rows } = await this.db.sql.query<AuthUser & { tokenId: string; stale: boolean }>(`SELECT t.id AS "tokenId", u.id, u.email, u.name, u.role,
        (t."lastUsedAt" IS NULL OR t."lastUsedAt" < (now() AT TIME ZONE 'UTC') - interval '1 minute') AS stale
      FROM "ApiToken" t JOIN "User" u ON u.id = t."userId" WHERE t."tokenHash" = $1 AND t."revokedAt" IS NULL`, [digest(token)])
    const row = rows[0]
    if (!row) return null
    // Coarse last-used stamp: at most one write a minute per token.
    if (row.stale) await this.db.prisma.apiToken.update({ where: { id: row.tokenId }, data: { lastUsedAt: new Date() } })
    return pick(row)
  }

  async listUsers() {
    const rows = await this.db.prisma.user.findMany({ orderBy: { createdAt: 'asc' } })
    return rows.map((row) => ({ ...pick(row), createdAt: row.createdAt }))
  }

  /** Changes the password and ends every other session of the user (tokens stay valid). */
  async changePassword(userId: string, currentPassword: string, newPassword: string, keepSessionSecret: string | null): Promise<void> {
    if (newPassword.length < MIN_PASSWORD_LENGTH) {
      throw new AppError('BAD_REQUEST', `The password must have at least ${MIN_PASSWORD_LENGTH} characters.`)
    }
    const user = await this.db.prisma.user.findUniqueOrThrow({ where: { id: userId } })
    if (!(await verifyPassword(currentPassword, user.passwordHash))) throw new AppError('BAD_REQUEST', 'The current password is wrong.')
    const keep = keepSessionSecret ? digest(keepSessionSecret) : ''
    await this.db.prisma.$transaction([
      this.db.prisma.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(newPassword) } }),
      this.db.prisma.session.deleteMany({ where: { userId, id: { not: keep } } }),
    ])
  }

  async createToken(userId: string, name: string, secret = newApiTokenSecret()) {
    const count = await this.db.prisma.apiToken.count({ where: { userId, revokedAt: null } })
    if (count >= LIMITS.maxApiTokensPerUser) {
      throw new AppError('BAD_REQUEST', `You have ${count} active tokens, the most allowed. Revoke one you no longer use.`)
    }
    const row = await this.db.prisma.apiToken.create({ data: { userId, name, tokenHash: digest(secret), prefix: secret.slice(0, TOKEN_PREFIX.length + 6) } })
    return { token: secret, info: tokenInfo(row) }
  }

  async listTokens(userId: string) {
    const rows = await this.db.prisma.apiToken.findMany({ where: { userId }, orderBy: { createdAt: 'desc' } })
    return rows.map(tokenInfo)
  }

  async revokeToken(userId: string, id: string): Promise<void> {
    const { count } = await this.db.prisma.apiToken.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: new Date() } })
    if (count === 0) throw new AppError('NOT_FOUND', 'No active token with that id belongs to you.')
  }

  /**
   * First start of a fresh install: creates the admin from env and registers a bootstrap token,
   * each only when none exists yet, so restarts never change credentials.
   */
  async bootstrap(env: { adminEmail?: string; adminPassword?: string; bootstrapToken?: string }): Promise<string[]> {
    const done: string[] = []
    if (env.adminEmail && env.adminPassword && (await this.db.prisma.user.count()) === 0) {
      await this.createUser({ email: env.adminEmail, password: env.adminPassword, name: 'Admin', role: 'admin' })
      done.push(`created admin ${env.adminEmail}`)
    }
    if (env.bootstrapToken && (await this.db.prisma.apiToken.count()) === 0) {
      if (!env.bootstrapToken.startsWith(TOKEN_PREFIX) || env.bootstrapToken.length < 24) {
        throw new Error(`LATTICE_BOOTSTRAP_TOKEN must start with "${TOKEN_PREFIX}" and have at least 24 characters.`)
      }
      const admin = await this.db.prisma.user.findFirst({ where: { role: 'admin' }, orderBy: { createdAt: 'asc' } })
      if (!admin) throw new Error('LATTICE_BOOTSTRAP_TOKEN needs an admin: set LATTICE_ADMIN_EMAIL and LATTICE_ADMIN_PASSWORD too.')
      await this.createToken(admin.id, 'bootstrap', env.bootstrapToken)
      done.push('registered the bootstrap token')
    }
    return done
  }
}

function pick(user: AuthUser): AuthUser {
  return { id: user.id, email: user.email, name: user.name, role: user.role }
}

function tokenInfo(row: { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null }) {
  return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt, lastUsedAt: row.lastUsedAt, revokedAt: row.revokedAt }
}

/** Past five failures on an account (from any address), each further one slows its sign-ins by 250 ms, up to 5 s. */
export function slowdownMs(accountFailures: number): number {
  return Math.min(5000, Math.max(0, accountFailures - 5) * 250)
}
