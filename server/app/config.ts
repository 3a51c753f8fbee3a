import { databaseConfigFromEnv, dataDirFromEnv, type DatabaseConfig } from '../db/config'
import { LIMITS } from '../../shared/limits'

/** Everything the server reads from its environment, checked once at start-up. */
export interface LatticeConfig {
  database: DatabaseConfig
  dataDir: string
  maxUploadBytes: number
  /** Largest ComfyUI output stored as an asset (LATTICE_MAX_OUTPUT_MB); larger ones fail their generation. */
  maxOutputBytes: number
  /** false: this process serves requests but runs no background jobs. */
  worker: boolean
  /** Secure cookies: on unless LATTICE_INSECURE_COOKIES=1 (plain-http LAN setups). */
  secureCookies: 'auto' | 'never'
  /** Honour X-Forwarded-For/-Proto/-Host: set LATTICE_TRUST_PROXY=1 behind a reverse proxy. */
  trustProxy: boolean
  bootstrap: { adminEmail?: string; adminPassword?: string; bootstrapToken?: string }
  /**
   * Exports: how many run at once here (LATTICE_EXPORT_CONCURRENCY) and where this server's own
   * /render page is reached from its Chromium (LATTICE_INTERNAL_URL; default the loopback port).
   */
  export: { concurrency: number; internalUrl: string }
  /** LATTICE_COMFY_URLS (comma-separated, upserted at start), LATTICE_COMFY_WEBHOOK_URL (global), LATTICE_WEBHOOK_SECRET. */
  comfy: { urls?: string; webhookUrl?: string; webhookSecret?: string }
}

/** `build`: what the server build brings along (the database snapshot; see server/db/snapshot.ts). */
export function latticeConfigFromEnv(env: NodeJS.ProcessEnv = process.env, build: { dbSnapshot?: string } = {}): LatticeConfig {
  return {
    database: databaseConfigFromEnv(env, { snapshot: build.dbSnapshot }),
    dataDir: dataDirFromEnv(env),
    maxUploadBytes: megabytes(env, 'LATTICE_MAX_UPLOAD_MB', LIMITS.defaultMaxUploadBytes),
    maxOutputBytes: megabytes(env, 'LATTICE_MAX_OUTPUT_MB', LIMITS.defaultMaxOutputBytes),
    worker: env.LATTICE_WORKER?.trim() !== '0',
    secureCookies: env.LATTICE_INSECURE_COOKIES?.trim() === '1' ? 'never' : 'auto',
    trustProxy: env.LATTICE_TRUST_PROXY?.trim() === '1',
    export: {
      concurrency: positiveInteger(env, 'LATTICE_EXPORT_CONCURRENCY', 1),
      internalUrl: (env.LATTICE_INTERNAL_URL?.trim() || `http://127.0.0.1:${env.NITRO_PORT || env.PORT || 3000}${env.NUXT_APP_BASE_URL?.trim() || '/'}`).replace(/\/+$/, ''),
    },
    comfy: {
      urls: env.LATTICE_COMFY_URLS?.trim() || undefined,
      webhookUrl: env.LATTICE_COMFY_WEBHOOK_URL?.trim() || undefined,
      webhookSecret: env.LATTICE_WEBHOOK_SECRET || undefined,
    },
    bootstrap: {
      adminEmail: env.LATTICE_ADMIN_EMAIL?.trim() || undefined,
      adminPassword: env.LATTICE_ADMIN_PASSWORD || undefined,
      bootstrapToken: env.LATTICE_BOOTSTRAP_TOKEN?.trim() || undefined,
    },
  }
}

/** A size given in megabytes, as bytes; `fallback` (bytes) when unset. */
function megabytes(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim()
  if (!raw) return fallback
  const mb = Number(raw)
  if (!Number.isFinite(mb) || mb <= 0) throw new Error(`${name} must be a positive number of megabytes (got "${raw}").`)
  return Math.round(mb * 1024 * 1024)
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim()
  if (!raw) return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1 (got "${raw}").`)
  return value
}
