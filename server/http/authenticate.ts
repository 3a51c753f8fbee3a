import { getCookie, getHeader, getRequestIP, getRequestProtocol, type H3Event } from 'h3'
import type { AuthUser } from '../services/auth/auth.service'
import type { Services } from '../trpc/context'
import { clientAddress, originMatches, publicOrigin, viaTrustedProxy, type ForwardedRequest, type TrustProxy } from './forwarded'

export const SESSION_COOKIE = 'lattice_session'

export interface RequestIdentity {
  user: AuthUser | null
  via: 'token' | 'session' | null
  sessionSecret: string | null
}

/**
 * Who sent the request: an API token (`Authorization: Bearer lat_…`, for scripts) or the session
 * cookie (browsers). A cookie on a state-changing request from another origin is ignored, so a
 * page elsewhere cannot act as the signed-in user. `trust`: whose X-Forwarded-* headers say
 * where the browser sent the request (LATTICE_TRUST_PROXY).
 */
export async function authenticate(event: H3Event, services: Services, trust: TrustProxy): Promise<RequestIdentity> {
  const header = getHeader(event, 'authorization')
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1]
  if (bearer) return { user: await services.auth.userForToken(bearer), via: 'token', sessionSecret: null }
  const sessionSecret = getCookie(event, SESSION_COOKIE) ?? null
  if (!sessionSecret) return { user: null, via: null, sessionSecret: null }
  if (!['GET', 'HEAD', 'OPTIONS'].includes(event.method) && !sameOrigin(event, trust)) {
    return { user: null, via: null, sessionSecret }
  }
  return { user: await services.auth.userForSession(sessionSecret), via: 'session', sessionSecret }
}

function sameOrigin(event: H3Event, trust: TrustProxy): boolean {
  const origin = getHeader(event, 'origin')
  // Browsers send Origin on every cross-origin POST; its absence means a same-origin or non-browser client.
  if (!origin) return true
  return originMatches(origin, publicOrigin(forwardedRequest(event), trust))
}

/** The address the sign-in lockout counts failures against. */
export function clientIp(event: H3Event, trust: TrustProxy): string {
  return clientAddress(forwardedRequest(event), trust)
}

export function isHttps(event: H3Event, trust: TrustProxy): boolean {
  const forwarded = forwardedRequest(event)
  if (viaTrustedProxy(forwarded, trust)) return publicOrigin(forwarded, trust).protocol === 'https'
  return getRequestProtocol(event, { xForwardedProto: false }) === 'https'
}

function forwardedRequest(event: H3Event): ForwardedRequest {
  return { peer: getRequestIP(event), header: (name) => getHeader(event, name) }
}
