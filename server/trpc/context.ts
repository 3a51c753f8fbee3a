import type { AuthUser, AuthService } from '../services/auth/auth.service'
import type { ProjectService } from '../services/projects/projects.service'
import type { AssetService } from '../services/assets/assets.service'
import type { JobQueue } from '../jobs/queue'
import type { Database } from '../db/connect'

/** Everything a procedure may use; built per request by the HTTP adapter, or directly in tests. */
export interface Services {
  db: Database
  auth: AuthService
  projects: ProjectService
  assets: AssetService
  queue: JobQueue
  version: string
}

export interface Context {
  services: Services
  user: AuthUser | null
}

export function createContextInner(services: Services, user: AuthUser | null): Context {
  return { services, user }
}
