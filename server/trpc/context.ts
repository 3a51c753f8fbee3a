import { AppError } from '../../shared/errors'
import type { AuthUser, AuthService } from '../services/auth/auth.service'
import type { ProjectService } from '../services/projects/projects.service'
import type { AssetService } from '../services/assets/assets.service'
import type { JobQueue } from '../jobs/queue'
import type { Database } from '../db/connect'
import type { GenerationService } from '../services/generations/generations.service'
import type { ComfyServerService } from '../services/generations/servers.service'
import type { WorkflowService } from '../services/generations/workflows.service'
import type { JobService } from '../services/jobs/jobs.service'
import type { ExportService } from '../services/exports/exports.service'
import type { AiService } from '../services/ai/ai.service'

/** Everything a procedure may use; built per request by the HTTP adapter, or directly in tests. */
export interface Services {
  db: Database
  auth: AuthService
  projects: ProjectService
  assets: AssetService
  queue: JobQueue
  jobs: JobService
  /** Renders to files; absent in processes and tests that do not export. */
  exports?: ExportService
  /** Depth, mattes, segmentation, normals and captions; absent in processes and tests that do not use them. */
  ai?: AiService
  /** ComfyUI generations, servers and workflows; absent in processes and tests that do not use them. */
  generations?: GenerationService
  comfyServers?: ComfyServerService
  workflows?: WorkflowService
  version: string
}

/** What the sign-in procedures need from the HTTP request; absent when called in-process. */
export interface SessionTransport {
  ip: string
  userAgent?: string
  /** The session secret from the request's cookie, if any. */
  sessionSecret: string | null
  setSession(secret: string, expiresAt: Date): void
  clearSession(): void
}

export interface Context {
  services: Services
  user: AuthUser | null
  session?: SessionTransport
}

export function createContextInner(services: Services, user: AuthUser | null, session?: SessionTransport): Context {
  return { services, user, session }
}

/** A service this process may lack (a worker without exports, a test without ComfyUI), or a clear 503. */
export function requireService<T>(service: T | undefined, what: string): T {
  if (!service) throw new AppError('SERVICE_UNAVAILABLE', `${what} are not available in this process.`)
  return service
}
