import { setTimeout as sleep } from 'node:timers/promises'
import { backoffDelay, type BackoffOptions } from './backoff'
import { classifyRejection, fromNodeErrors } from './classify'
import { type ComfyError, isTransientComfyError } from './errors'
import type { ComfyHttp, PromptRequest } from './http'
import { locatePrompt, type PromptLocation } from './locate'
import type { ObjectInfo } from './protocol'

export interface SubmitOptions {
  /** Total tries of `POST /prompt`, including the first. */
  attempts?: number
  backoff?: BackoffOptions
  objectInfo?: ObjectInfo
  /** Fresh `/object_info`, read when a rejection names a missing model, to list what the server has now. */
  refreshObjectInfo?: () => Promise<ObjectInfo>
  signal?: AbortSignal
  onLog?: (message: string, level: 'info' | 'warn') => void
}

const SUBMIT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 8000, factor: 2 }

/**
 * Queues `request` exactly once. ComfyUI does not de-duplicate prompt ids, and a 5xx or a broken
 * connection can come after the prompt was queued, so before every re-submission the id is looked
 * up in `/queue` and `/history`; a re-submission happens only once the server says it is absent.
 * A 400 is final and classified. Returns where the prompt was found when it was already queued.
 */
export async function submitPromptOnce(http: ComfyHttp, request: PromptRequest, options: SubmitOptions = {}): Promise<PromptLocation | undefined> {
  const attempts = options.attempts ?? 3
  let lastError: unknown
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      await sleep(backoffDelay(attempt - 2, options.backoff ?? SUBMIT_BACKOFF), undefined, { signal: options.signal })
      try {
        const location = await locatePrompt(http, request.prompt_id, options.signal)
        if (location.where !== 'absent') {
          options.onLog?.(`ComfyUI had queued prompt ${request.prompt_id} despite the error; not sending it again.`, 'info')
          return location
        }
      } catch (error) {
        if (!isTransientComfyError(error)) throw error
        lastError = error
        continue
      }
    }
    try {
      const result = await http.submitPrompt(request, options.signal)
      if (!result.ok) {
        const rejection = classifyRejection(result.rejected, options.objectInfo, request.prompt)
        if (rejection.kind !== 'missing_model' || !options.refreshObjectInfo) throw rejection
        const fresh = await options.refreshObjectInfo().catch(() => options.objectInfo)
        throw classifyRejection(result.rejected, fresh, request.prompt)
      }
      const dropped = fromNodeErrors(result.accepted.node_errors, options.objectInfo)
      if (dropped) {
        // Some outputs were queued, the broken ones silently skipped: a partial result is not what was asked for.
        await Promise.allSettled([http.deleteFromQueue([request.prompt_id]), http.interrupt(request.prompt_id)])
        throw dropped
      }
      return undefined
    } catch (error) {
      if (!isTransientComfyError(error)) throw error
      lastError = error
      options.onLog?.(`Sending the prompt to ComfyUI failed (${(error as ComfyError).message}); checking whether it was queued before trying again.`, 'warn')
    }
  }
  throw lastError
}
