import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AuthService } from '../services/auth/auth.service'

export const INITIAL_ADMIN_EMAIL = 'admin@localhost'

/**
 * A fresh install started without LATTICE_ADMIN_EMAIL/PASSWORD still has to be signed into: make
 * an admin with a random password, print it once and leave it in the data dir (owner-only).
 */
export async function createInitialAdmin(auth: AuthService, dataDir: string): Promise<void> {
  const password = randomBytes(12).toString('base64url')
  await auth.createUser({ email: INITIAL_ADMIN_EMAIL, password, name: 'Admin', role: 'admin' })
  await mkdir(dataDir, { recursive: true })
  const file = join(dataDir, 'initial-admin-password.txt')
  await writeFile(file, `${INITIAL_ADMIN_EMAIL}\n${password}\n`, { mode: 0o600 })
  console.info([
    '[lattice] created the first admin:',
    `[lattice]   email:    ${INITIAL_ADMIN_EMAIL}`,
    `[lattice]   password: ${password}`,
    `[lattice] (also in ${file}; change it under Settings after signing in)`,
  ].join('\n'))
}
