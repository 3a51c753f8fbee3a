import { publicProcedure, router } from '../init'

export const systemRouter = router({
  /** The one procedure that needs no sign-in: for load balancers and container health checks. */
  health: publicProcedure.query(async ({ ctx }) => {
    const { db, version } = ctx.services
    const ok = await db.sql.query('SELECT 1').then(() => true, () => false)
    // The upload limit is public so the sign-in-free parts of clients (and the UI) can show it.
    // Where AI inference runs and why there (CUDA missing, or set by LATTICE_AI_DEVICE).
    const ai = ctx.services.ai ? ctx.services.ai.models.deviceInfo() : null
    return { status: ok ? ('ok' as const) : ('degraded' as const), version, database: { kind: db.kind, ok }, maxUploadBytes: ctx.services.assets.maxUploadBytes, ai }
  }),
})
