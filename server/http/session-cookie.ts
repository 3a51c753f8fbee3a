import { deleteCookie, setCookie, type H3Event } from 'h3'
import { SESSION_COOKIE } from './authenticate'

/** httpOnly (no script reads it), SameSite=Lax (not sent on cross-site posts), Secure over https. */
export function setSessionCookie(event: H3Event, secret: string, expiresAt: Date, secure: boolean): void {
  setCookie(event, SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'lax', secure, path: '/', expires: expiresAt })
}

export function clearSessionCookie(event: H3Event, secure: boolean): void {
  deleteCookie(event, SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' })
}
