import type { Database } from '../db/connect'
import type { AuthService } from '../services/auth/auth.service'
import type { ComfyServerService } from '../services/generations/servers.service'
import type { LatticeConfig } from './config'
import { createInitialAdmin } from './initial-admin'

// Advisory lock keys in use: 72707369 migrations (migrate.ts), 72707370 choosing a ComfyUI
// server (lattice_claim_server), this one the start-up writes.
export const BOOTSTRAP_LOCK = 72707371

/**
 * The rows every start makes sure of: the first admin (from env, or a generated one), the
 * bootstrap token and the ComfyUI servers from env. Each is written only when missing, which is
 * safe only one instance at a time: instances that start together on one database take turns,
 * and the later ones find the rows the first one wrote.
 */
export async function bootstrapDatabase(db: Database, services: { auth: AuthService; comfyServers: ComfyServerService }, config: Pick<LatticeConfig, 'bootstrap' | 'dataDir' | 'comfy'>): Promise<void> {
  await db.exclusively(BOOTSTRAP_LOCK, async () => {
    for (const line of await services.auth.bootstrap(config.bootstrap)) console.info(`[lattice] ${line}`)
    if ((await db.prisma.user.count()) === 0) await createInitialAdmin(services.auth, config.dataDir)
    await services.comfyServers.upsertFromEnv(config.comfy.urls)
  })
}
