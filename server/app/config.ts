import { join } from 'node:path'
import { databaseConfigFromEnv, dataDirFromEnv, type DatabaseConfig } from '../db/config'
import { LIMITS } from '../../shared/limits'
import { parseTrustProxy, type TrustProxy } from '../http/forwarded'

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
  /**
   * Whose X-Forwarded-For/-Host/-Proto to believe (LATTICE_TRUST_PROXY): 1 or true behind one
   * reverse proxy, or the proxies' addresses (comma-separated); unset or 0, nobody's.
   */
  trustProxy: TrustProxy
  bootstrap: { adminEmail?: string; adminPassword?: string; bootstrapToken?: string }
  /**
   * Exports: how many run at once here (LATTICE_EXPORT_CONCURRENCY) and where this server's own
   * /render page is reached from its Chromium (LATTICE_INTERNAL_URL; default the loopback port).
   */
  export: { concurrency: number; internalUrl: string }
  ai: AiConfig
  /** LATTICE_COMFY_URLS (comma-separated, upserted at start), LATTICE_COMFY_WEBHOOK_URL (global), LATTICE_WEBHOOK_SECRET. */
  comfy: { urls?: string; webhookUrl?: string; webhookSecret?: string }
}

/** In-process AI: where models live, where they run, how much memory they may hold. */
export interface AiConfig {
  /** LATTICE_MODELS_DIR: the weights, `<dir>/<model id>/<file>` (default `<data>/models`). */
  modelsDir: string
  /** LATTICE_MODEL_MANIFESTS_DIR: a folder of extra model manifests beside the ones Lattice ships. */
  extraManifestsDir?: string
  /** LATTICE_AI_DEVICE: auto (CUDA when its provider loads, else CPU), cuda or cpu. */
  device: 'auto' | 'cuda' | 'cpu'
  /** LATTICE_AI_MEMORY_MB: loaded models past this are unloaded, least recently used first. */
  memoryBudgetBytes: number
  /** LATTICE_AI_IDLE_MINUTES: a model unused this long is unloaded. */
  idleMs: number
  /** LATTICE_AI_THREADS: CPU threads one inference may use (unset: every core). */
  threads?: number
  /** LATTICE_AI_CONCURRENCY: depth/matte/normal jobs run at once here. */
  concurrency: number
  /** LATTICE_VLM_URL (OpenAI-compatible, e.g. http://host:8000/v1), LATTICE_VLM_MODEL, LATTICE_VLM_KEY. */
  vlm: { url: string; model: string; key?: string } | null
}

/**
 * `build`: what the server build brings along: the database snapshot (server/db/snapshot.ts) and
 * the base URL it was built for (NUXT_APP_BASE_URL at build time, which a start need not repeat).
 */
export function latticeConfigFromEnv(env: NodeJS.ProcessEnv = process.env, build: { dbSnapshot?: string; baseURL?: string } = {}): LatticeConfig {
  return {
    database: databaseConfigFromEnv(env, { snapshot: build.dbSnapshot }),
    dataDir: dataDirFromEnv(env),
    maxUploadBytes: megabytes(env, 'LATTICE_MAX_UPLOAD_MB', LIMITS.defaultMaxUploadBytes),
    maxOutputBytes: megabytes(env, 'LATTICE_MAX_OUTPUT_MB', LIMITS.defaultMaxOutputBytes),
    worker: env.LATTICE_WORKER?.trim() !== '0',
    secureCookies: env.LATTICE_INSECURE_COOKIES?.trim() === '1' ? 'never' : 'auto',
    trustProxy: parseTrustProxy(env.LATTICE_TRUST_PROXY),
    export: {
      concurrency: positiveInteger(env, 'LATTICE_EXPORT_CONCURRENCY', 1),
      internalUrl: (env.LATTICE_INTERNAL_URL?.trim() || `http://127.0.0.1:${env.NITRO_PORT || env.PORT || 3000}${build.baseURL || env.NUXT_APP_BASE_URL?.trim() || '/'}`).replace(/\/+$/, ''),
    },
    ai: aiConfigFromEnv(env),
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

function aiConfigFromEnv(env: NodeJS.ProcessEnv): AiConfig {
  const device = env.LATTICE_AI_DEVICE?.trim() || 'auto'
  if (device !== 'auto' && device !== 'cuda' && device !== 'cpu') throw new Error(`LATTICE_AI_DEVICE must be auto, cuda or cpu (got "${device}").`)
  const vlmUrl = env.LATTICE_VLM_URL?.trim()
  const vlmModel = env.LATTICE_VLM_MODEL?.trim()
  if (vlmUrl && !/^https?:\/\//.test(vlmUrl)) throw new Error(`LATTICE_VLM_URL must be an http(s) URL such as http://host:8000/v1 (got "${vlmUrl}").`)
  if (vlmUrl && !vlmModel) throw new Error('LATTICE_VLM_URL is set: set LATTICE_VLM_MODEL too (the model name the endpoint serves).')
  const idleMinutes = Number(env.LATTICE_AI_IDLE_MINUTES?.trim() || 10)
  if (!Number.isFinite(idleMinutes) || idleMinutes <= 0) throw new Error(`LATTICE_AI_IDLE_MINUTES must be a positive number (got "${env.LATTICE_AI_IDLE_MINUTES}").`)
  return {
    modelsDir: env.LATTICE_MODELS_DIR?.trim() || join(dataDirFromEnv(env), 'models'),
    extraManifestsDir: env.LATTICE_MODEL_MANIFESTS_DIR?.trim() || undefined,
    device,
    memoryBudgetBytes: megabytes(env, 'LATTICE_AI_MEMORY_MB', 4096 * 1024 * 1024),
    idleMs: idleMinutes * 60_000,
    concurrency: positiveInteger(env, 'LATTICE_AI_CONCURRENCY', 1),
    threads: env.LATTICE_AI_THREADS?.trim() ? positiveInteger(env, 'LATTICE_AI_THREADS', 1) : undefined,
    vlm: vlmUrl && vlmModel ? { url: vlmUrl.replace(/\/+$/, ''), model: vlmModel, key: env.LATTICE_VLM_KEY || undefined } : null,
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
