import { getCookie, getHeader, getRequestHost, getRequestIP, getRequestProtocol, type H3Event } from 'h3'
import type { AuthUser } from '../services/auth/auth.service'
import type { Services } from '../trpc/context'

export const SESSION_COOKIE = 'lattice_session'

export interface RequestIdentity {
  user: AuthUser | null
  via: 'token' | 'session' | null
  sessionSecret: string | null
}

/**
 * Who sent the request: an API token (`Authorization: Bearer lat_…`, for scripts) or the session
 * cookie (browsers). A cookie on a state-changing request from another origin is ignored, so a
 * page elsewhere cannot act as the signed-in user.
 */
export async function authenticate(event: H3Event, services: Services): Promise<RequestIdentity> {
  const header = getHeader(event, 'authorization')
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1]
  if (bearer) return { user: await services.auth.userForToken(bearer), via: 'token', sessionSecret: null }
  const sessionSecret = getCookie(event, SESSION_COOKIE) ?? null
  if (!sessionSecret) return { user: null, via: null, sessionSecret: null }
  if (!['GET', 'HEAD', 'OPTIONS'].includes(event.method) && !sameOrigin(event)) {
    return { user: null, via: null, sessionSecret }
  }
  return { user: await services.auth.userForSession(sessionSecret), via: 'session', sessionSecret }
}

function sameOrigin(event: H3Event): boolean {
  const origin = getHeader(event, 'origin')
  // Browsers send Origin on every cross-origin POST; its absence means a same-origin or non-browser client.
  if (!origin) return true
  try {
    return new URL(origin).host === getRequestHost(event, { xForwardedHost: true })
  } catch {
    return false
  }
}

export function clientIp(event: H3Event, trustProxy: boolean): string {
  return getRequestIP(event, { xForwardedFor: trustProxy }) ?? 'unknown'
}

export function isHttps(event: H3Event, trustProxy: boolean): boolean {
  return getRequestProtocol(event, { xForwardedProto: trustProxy }) === 'https'
}
