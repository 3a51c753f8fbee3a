import { isComfyError } from '../../comfy'
import { AppError } from '../../../shared/errors'
import type { ServerHealth } from './pool'

/** A final failure: recorded on the generation's job (with its kind) and never retried. */
export class GenerationFailed extends AppError {
  readonly transient = false
  constructor(message: string, readonly kind: string) {
    super('BAD_REQUEST', message, { kind })
    this.name = 'GenerationFailed'
  }
}

/** A fault worth another try later; `transient` lets the job system retry it with back-off. */
export class GenerationRetry extends Error {
  readonly transient = true
  constructor(message: string, readonly kind: string) {
    super(message)
    this.name = 'GenerationRetry'
  }
}

export function isTransient(error: unknown): boolean {
  return (error as { transient?: unknown } | null)?.transient === true
}

export function asRetry(error: unknown): GenerationRetry {
  if (error instanceof GenerationRetry) return error
  const kind = isComfyError(error) ? error.kind : ((error as AppError).details?.kind as string | undefined) ?? 'unreachable'
  return new GenerationRetry((error as Error).message, kind)
}

export function noHealthyServer(servers: Array<{ name: string; health?: ServerHealth | { reachable: false; error: string } }>): AppError {
  const why = servers.map((s) => `${s.name}: ${s.health && !s.health.reachable ? s.health.error : 'not checked yet'}`).join(' ')
  const error = new AppError('SERVICE_UNAVAILABLE', `No ComfyUI server is reachable right now. ${why} Start ComfyUI (or check its address in Settings → ComfyUI servers); queued generations continue once one is back.`, { kind: 'no_healthy_server' })
  ;(error as AppError & { transient: boolean }).transient = true
  return error
}
