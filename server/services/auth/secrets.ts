import { createHash, randomBytes } from 'node:crypto'

/** API tokens start with `lat_` so secret scanners and users can recognise them. */
export const TOKEN_PREFIX = 'lat_'

export function newApiTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url')
}

export function newSessionSecret(): string {
  return randomBytes(32).toString('base64url')
}

/** Tokens and session ids are stored only as this digest. */
export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}
