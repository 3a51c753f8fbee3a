import { deleteCookie, setCookie, type H3Event } from 'h3'
import { useRuntimeConfig } from 'nitropack/runtime'
import { SESSION_COOKIE } from './authenticate'

/**
 * httpOnly (no script reads it), SameSite=Lax (not sent on cross-site posts), Secure over https,
 * and scoped to the app's base URL: under a sub-path, other apps on the host never receive it.
 */
export function setSessionCookie(event: H3Event, secret: string, expiresAt: Date, secure: boolean): void {
  setCookie(event, SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'lax', secure, path: cookiePath(), expires: expiresAt })
}

export function clearSessionCookie(event: H3Event, secure: boolean): void {
  deleteCookie(event, SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: cookiePath() })
}

/** `/lattice/` → `/lattice`, which also covers the base URL without its trailing slash. */
function cookiePath(): string {
  return useRuntimeConfig().app.baseURL.replace(/\/+$/, '') || '/'
}
