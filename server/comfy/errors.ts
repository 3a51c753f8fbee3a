import { AppError, type AppErrorCode } from '../../shared/errors'

/**
 * What went wrong talking to ComfyUI. Transient kinds may succeed when tried again (the server
 * was down, slow or answered 5xx); permanent kinds need the workflow, the models or the GPU
 * settings changed first, so retrying them only repeats the failure.
 */
export type ComfyErrorKind =
  | 'unreachable'
  | 'timeout'
  | 'server_error'
  | 'invalid_workflow'
  | 'missing_model'
  | 'missing_node'
  | 'out_of_memory'
  | 'node_failed'
  | 'interrupted'
  | 'upload_rejected'
  | 'output_missing'
  | 'output_too_large'
  | 'protocol'

const TRANSIENT: ReadonlySet<ComfyErrorKind> = new Set(['unreachable', 'timeout', 'server_error'])

export class ComfyError extends AppError {
  readonly kind: ComfyErrorKind
  readonly transient: boolean

  constructor(kind: ComfyErrorKind, message: string, details?: Record<string, unknown>) {
    const transient = TRANSIENT.has(kind)
    super(codeFor(kind), message, { ...details, kind, transient })
    this.name = 'ComfyError'
    this.kind = kind
    this.transient = transient
  }
}

function codeFor(kind: ComfyErrorKind): AppErrorCode {
  return TRANSIENT.has(kind) || kind === 'protocol' ? 'SERVICE_UNAVAILABLE' : 'BAD_REQUEST'
}

export const isComfyError = (error: unknown): error is ComfyError => error instanceof ComfyError

/** True for failures worth retrying later: the same request may succeed once the server recovers. */
export const isTransientComfyError = (error: unknown): boolean => isComfyError(error) && error.transient

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED'])

/** Turns what `fetch` throws into a ComfyError; the caller's own abort is passed through untouched. */
export function networkError(error: unknown, url: string, timeoutMs: number, callerSignal?: AbortSignal): unknown {
  if (callerSignal?.aborted || error instanceof ComfyError) return error
  const name = (error as { name?: string })?.name
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ComfyError('timeout', `ComfyUI at ${originOf(url)} did not answer within ${Math.round(timeoutMs / 1000)} s. It may be busy loading a model; try again, or check the server.`)
  }
  const code = causeCode(error)
  if (code && NETWORK_CODES.has(code)) {
    return new ComfyError('unreachable', `ComfyUI at ${originOf(url)} cannot be reached (${code}). Check that it is running and that the address is right; Lattice will retry.`, { code })
  }
  if (error instanceof TypeError) {
    return new ComfyError('unreachable', `ComfyUI at ${originOf(url)} cannot be reached (${error.message}). Check that it is running; Lattice will retry.`)
  }
  return error
}

function causeCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

export function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return url
  }
}
