import { plannedSteps } from './planned-steps'
import type { ComfyMessage, Workflow } from './protocol'

export interface RunProgress {
  promptId: string
  state: 'pending' | 'running' | 'finished'
  /** Prompts ahead of ours while pending (from `/queue`). */
  ahead?: number
  node?: string
  classType?: string
  /** Sampler steps of the current node. */
  step?: { value: number; max: number }
  nodesDone: number
  nodesTotal: number
  /** 0..1 over all nodes that will run; never goes backwards. */
  fraction: number
}

/** The nodes ComfyUI will run: the output nodes and everything linked into them. */
export function nodesToRun(workflow: Workflow, outputIds: string[] | undefined): Set<string> {
  if (!outputIds || outputIds.length === 0) return new Set(Object.keys(workflow))
  const seen = new Set<string>()
  const stack = [...outputIds]
  while (stack.length > 0) {
    const id = stack.pop()!
    if (seen.has(id) || !workflow[id]) continue
    seen.add(id)
    for (const value of Object.values(workflow[id].inputs)) {
      if (Array.isArray(value) && typeof value[0] === 'string') stack.push(value[0])
    }
  }
  return seen
}

/**
 * Folds run events into one progress figure that moves evenly: the work is every step of every
 * node that will run (a sampler by its steps, any other node as one), cached nodes leave the total
 * when the server names them, and a node's first `progress` message corrects its step count.
 */
export class ProgressTracker {
  private readonly done = new Set<string>()
  private readonly steps = new Map<string, number>()
  private readonly cachedNodes = new Set<string>()
  private current?: string
  private step?: { value: number; max: number }
  private state: RunProgress['state'] = 'pending'
  private ahead?: number
  private best = 0

  constructor(private readonly promptId: string, private readonly workflow: Workflow, private readonly toRun: Set<string>) {
    for (const node of toRun) this.steps.set(node, plannedSteps(workflow, node))
  }

  pending(ahead: number): void {
    if (this.state === 'pending') this.ahead = ahead
  }

  started(): void {
    if (this.state === 'pending') this.state = 'running'
  }

  cached(nodes: string[]): void {
    this.started()
    for (const node of nodes) {
      if (!this.toRun.has(node)) continue
      this.done.add(node)
      this.cachedNodes.add(node)
    }
  }

  executing(node: string): void {
    this.started()
    if (this.current && this.current !== node) this.done.add(this.current)
    this.current = node
    this.step = undefined
  }

  progress(reported: string, value: number, max: number): void {
    // A node made by graph expansion reports under its own id: its steps belong to the node it came from.
    const node = !this.toRun.has(reported) && this.current && this.toRun.has(this.current) ? this.current : reported
    if (node !== this.current) this.executing(node)
    this.step = { value: Math.min(value, max), max }
    if (this.toRun.has(node) && max >= 1) this.steps.set(node, max)
  }

  finished(): void {
    this.state = 'finished'
    for (const node of this.toRun) this.done.add(node)
    this.current = undefined
    this.step = undefined
  }

  snapshot(): RunProgress {
    this.best = Math.max(this.best, this.state === 'finished' ? 1 : Math.min(0.999, this.workDone()))
    return {
      promptId: this.promptId,
      state: this.state,
      ahead: this.state === 'pending' ? this.ahead : undefined,
      node: this.current,
      classType: this.current ? this.workflow[this.current]?.class_type : undefined,
      step: this.step,
      nodesDone: this.done.size,
      nodesTotal: this.toRun.size,
      fraction: this.best,
    }
  }

  /** Steps run so far over the steps this run will take; cached nodes take none. */
  private workDone(): number {
    let total = 0
    let done = 0
    for (const [node, steps] of this.steps) {
      if (this.cachedNodes.has(node)) continue
      total += steps
      if (this.done.has(node)) done += steps
      else if (node === this.current && this.step && this.step.max > 0) done += steps * (this.step.value / this.step.max)
    }
    return total === 0 ? 0 : done / total
  }
}

/** Feeds one of our prompt's messages to the tracker; false for a message that says nothing about progress. */
export function trackMessage(tracker: ProgressTracker, message: ComfyMessage): boolean {
  switch (message.type) {
    case 'execution_start': tracker.started(); return true
    case 'execution_cached': tracker.cached(message.data.nodes); return true
    case 'executing':
      if (message.data.node === null) return false
      // `display_node` is the workflow's node when this one was made by graph expansion at run time.
      tracker.executing(message.data.display_node ?? message.data.node)
      return true
    case 'progress': tracker.progress(message.data.node, message.data.value, message.data.max); return true
    default: return false
  }
}
