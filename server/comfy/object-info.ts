import type { ComfyHttp } from './http'
import type { NodeInfo, ObjectInfo } from './protocol'

export type InputSpec = [unknown, ...unknown[]]

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

/** The declared spec of `input` (required or optional), or undefined when the node has no such input. */
export function inputSpecOf(info: NodeInfo, input: string): InputSpec | undefined {
  return (info.input.required?.[input] ?? info.input.optional?.[input]) as InputSpec | undefined
}

export function isHiddenInput(info: NodeInfo, input: string): boolean {
  return info.input.hidden !== undefined && input in info.input.hidden
}

/** Options of a combo input (v1 `[[...options]]` or v3 `["COMBO", {options}]`), else undefined. */
export function comboOptions(spec: InputSpec): string[] | undefined {
  const [type, options] = spec
  if (Array.isArray(type)) return type.map(String)
  if (type === 'COMBO' && options && typeof options === 'object' && Array.isArray((options as { options?: unknown }).options)) {
    return ((options as { options: unknown[] }).options).map(String)
  }
  return undefined
}

export function inputTypeOf(spec: InputSpec): string {
  return Array.isArray(spec[0]) ? 'COMBO' : String(spec[0])
}

export function inputOptionsOf(spec: InputSpec): Record<string, unknown> {
  const options = spec[1]
  return options && typeof options === 'object' && !Array.isArray(options) ? (options as Record<string, unknown>) : {}
}

export function outputTypesOf(info: NodeInfo): string[] {
  return info.output.map((type) => (Array.isArray(type) ? 'COMBO' : type))
}

/** Ids of the output nodes of a workflow, by the server's `output_node` flags. */
export function outputNodeIds(workflow: Record<string, { class_type: string }>, objectInfo: ObjectInfo): string[] {
  return Object.entries(workflow).filter(([, node]) => objectInfo[node.class_type]?.output_node === true).map(([id]) => id)
}
