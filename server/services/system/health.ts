import type { Services } from '../../trpc/context'

/**
 * What `system.health` answers without sign-in: for load balancers, container health checks and
 * the sign-in page. The upload limit is public so clients can show it before anyone signs in;
 * `ai` says where inference runs and why there (CUDA missing, or set by LATTICE_AI_DEVICE).
 */
export async function readHealth(services: Pick<Services, 'db' | 'version' | 'assets' | 'ai'>) {
  const { db, version } = services
  const ok = await db.sql.query('SELECT 1').then(() => true, () => false)
  const ai = services.ai ? services.ai.models.deviceInfo() : null
  return { status: ok ? ('ok' as const) : ('degraded' as const), version, database: { kind: db.kind, ok }, maxUploadBytes: services.assets.maxUploadBytes, ai }
}
