import type { ComfyHttp } from './http'
import type { HistoryEntry } from './protocol'

export type PromptLocation =
  | { where: 'running' }
  | { where: 'pending'; ahead: number }
  | { where: 'history'; entry: HistoryEntry }
  | { where: 'absent' }

/**
 * Where a prompt is on the server. History is read again after the queue, because a prompt can
 * finish between the two requests; only then is "absent" (deleted, or lost in a restart) sure.
 */
export async function locatePrompt(http: ComfyHttp, promptId: string, signal?: AbortSignal): Promise<PromptLocation> {
  const before = await http.getHistoryEntry(promptId, signal)
  if (before) return { where: 'history', entry: before }
  const queue = await http.getQueue(signal)
  if (queue.queue_running.some((item) => item[1] === promptId)) return { where: 'running' }
  // queue_pending is the raw heap, not in run order.
  const pending = [...queue.queue_pending].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  const index = pending.findIndex((item) => item[1] === promptId)
  if (index >= 0) return { where: 'pending', ahead: index + queue.queue_running.length }
  const after = await http.getHistoryEntry(promptId, signal)
  if (after) return { where: 'history', entry: after }
  return { where: 'absent' }
}
