import type { Workflow } from './protocol'

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

/** Folds run events into one progress figure: each node counts equally, a sampler by its steps. */
export class ProgressTracker {
  private readonly done = new Set<string>()
  private current?: string
  private step?: { value: number; max: number }
  private state: RunProgress['state'] = 'pending'
  private ahead?: number
  private best = 0

  constructor(private readonly promptId: string, private readonly workflow: Workflow, private readonly toRun: Set<string>) {}

  pending(ahead: number): void {
    if (this.state === 'pending') this.ahead = ahead
  }

  started(): void {
    if (this.state === 'pending') this.state = 'running'
  }

  cached(nodes: string[]): void {
    this.started()
    for (const node of nodes) if (this.toRun.has(node)) this.done.add(node)
  }

  executing(node: string): void {
    this.started()
    if (this.current && this.current !== node) this.done.add(this.current)
    this.current = node
    this.step = undefined
  }

  progress(node: string, value: number, max: number): void {
    if (node !== this.current) this.executing(node)
    this.step = { value: Math.min(value, max), max }
  }

  finished(): void {
    this.state = 'finished'
    for (const node of this.toRun) this.done.add(node)
    this.current = undefined
    this.step = undefined
  }

  snapshot(): RunProgress {
    const total = Math.max(1, this.toRun.size)
    const partial = this.step && this.step.max > 0 ? this.step.value / this.step.max : 0
    const fraction = this.state === 'finished' ? 1 : Math.min(0.999, (this.done.size + (this.current && !this.done.has(this.current) ? partial : 0)) / total)
    this.best = Math.max(this.best, fraction)
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
}
