import type { ComfyHttp } from './http'
import type { ObjectInfo } from './protocol'

export { comboOptions, inputOptionsOf, inputSpecOf, inputTypeOf, isHiddenInput, outputNodeIds, outputTypesOf, type InputSpec } from '../../shared/comfy/object-info'

/**
 * `/object_info` of one server, fetched once and kept for `ttlMs`. It is large (hundreds of KB)
 * and changes only when nodes or models are installed; `refresh()` after an install, or after a
 * validation error that the cached copy did not predict.
 */
export class ObjectInfoCache {
  private value?: ObjectInfo
  private fetchedAt = 0
  private pending?: Promise<ObjectInfo>

  constructor(private readonly http: ComfyHttp, private readonly ttlMs = 5 * 60_000, private readonly now = Date.now) {}

  async get(signal?: AbortSignal): Promise<ObjectInfo> {
    if (this.value && this.now() - this.fetchedAt < this.ttlMs) return this.value
    return this.refresh(signal)
  }

  /** The cached copy without fetching, if there is one. */
  peek(): ObjectInfo | undefined {
    return this.value
  }

  refresh(signal?: AbortSignal): Promise<ObjectInfo> {
    // Concurrent callers share one request.
    this.pending ??= this.http.getObjectInfo(signal).then((info) => {
      this.value = info
      this.fetchedAt = this.now()
      return info
    }).finally(() => { this.pending = undefined })
    return this.pending
  }
}
