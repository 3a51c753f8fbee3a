import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import sharp from 'sharp'
import type { SocketHub } from './hub'
import type { NodeDef, NodeEnv, NodeRunContext, Picture } from './nodes'

export type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>
export type QueueItem = [number, string, Prompt, Record<string, unknown>, string[]]
export interface HistoryEntry {
  prompt: QueueItem
  outputs: Record<string, unknown>
  status: { status_str: 'success' | 'error'; completed: boolean; messages: Array<[string, Record<string, unknown>]> }
  meta: Record<string, unknown>
}
export interface Behaviour { delayMs?: number; steps?: number }
export type Failure = 'oom' | 'error' | 'missing_model_file'

const FAILURES: Record<Failure, { type: string; message: (node: string) => string }> = {
  oom: { type: 'torch.OutOfMemoryError', message: () => 'CUDA out of memory. Tried to allocate 9.00 GiB. GPU 0 has a total capacity of 23.64 GiB of which 1.20 GiB is free.\nThis error means you ran out of memory on your GPU.\n\nTIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.' },
  error: { type: 'RuntimeError', message: () => 'mat1 and mat2 shapes cannot be multiplied (77x768 and 1024x320)\n' },
  missing_model_file: { type: 'FileNotFoundError', message: () => "[Errno 2] No such file or directory: '/ComfyUI/models/checkpoints/vanished.safetensors'\n" },
}

/** ComfyUI's single worker: a heap of prompts run one at a time, with the messages of execution.py. */
export class Executor {
  readonly pending: QueueItem[] = []
  running?: { item: QueueItem; node?: string }
  readonly history = new Map<string, HistoryEntry>()
  readonly behaviours = new Map<string, Behaviour>()
  readonly failures = new Map<string, Failure>()
  /** performance.now() when each prompt's final `executing {node: null}` was sent (for benchmarks). */
  readonly finishedAt = new Map<string, number>()
  defaultDelayMs = 5
  private interruptFlag = false
  private generation = 0
  private working = false
  private cache = new Map<string, { values: unknown[]; ui?: Record<string, unknown> }>()
  private previewJpeg?: Buffer

  constructor(private readonly hub: SocketHub, private readonly nodes: Record<string, NodeDef>, private readonly env: NodeEnv & { outputDir: string; tempDir: string }) {}

  queueRemaining(): number {
    return this.pending.length + (this.running ? 1 : 0)
  }

  broadcastStatus(): void {
    this.hub.send('status', { status: { exec_info: { queue_remaining: this.queueRemaining() } } }, null)
  }

  put(item: QueueItem): void {
    heapPush(this.pending, item)
    this.broadcastStatus()
    if (!this.working) void this.work()
  }

  deletePending(ids: string[]): void {
    for (const id of ids) {
      const index = this.pending.findIndex((item) => item[1] === id)
      if (index < 0) continue
      this.pending.splice(index, 1)
      heapify(this.pending)
      this.broadcastStatus()
    }
  }

  clearPending(): void {
    this.pending.splice(0)
    this.broadcastStatus()
  }

  /** With an id, only if that prompt is the one running (server.py:736-766). */
  interrupt(promptId?: string): void {
    if (promptId === undefined || this.running?.item[1] === promptId) this.interruptFlag = true
  }

  /** What a restart loses: queue, running prompt, history, caches. */
  reset(): void {
    this.generation++
    this.pending.splice(0)
    this.running = undefined
    this.history.clear()
    this.cache.clear()
    this.working = false
  }

  private async work(): Promise<void> {
    this.working = true
    const generation = this.generation
    while (this.pending.length > 0 && generation === this.generation) {
      const item = heapPop(this.pending)!
      this.running = { item }
      this.broadcastStatus()
      await this.execute(item, generation)
    }
    if (generation === this.generation) this.working = false
  }

  private async execute(item: QueueItem, generation: number): Promise<void> {
    const [, promptId, prompt, extra, outputs] = item
    const sid = typeof extra.client_id === 'string' ? extra.client_id : null
    const live = () => generation === this.generation
    const messages: Array<[string, Record<string, unknown>]> = []
    const add = (event: string, data: Record<string, unknown>, broadcast: boolean) => {
      const stamped = { ...data, timestamp: Date.now() }
      messages.push([event, stamped])
      if (sid !== null || broadcast) this.hub.send(event, stamped, sid)
    }
    const targeted = (event: string, data: Record<string, unknown>) => { if (sid !== null) this.hub.send(event, data, sid) }
    const progressish = (event: string, data: Record<string, unknown>) => this.hub.send(event, data, sid)
    this.interruptFlag = false
    add('execution_start', { prompt_id: promptId }, false)

    const toRun = ancestors(prompt, outputs)
    const signatures = new Map<string, string>()
    const signature = (id: string): string => {
      const known = signatures.get(id)
      if (known) return known
      const node = prompt[id]!
      const parts = Object.keys(node.inputs).sort().map((key) => {
        const value = node.inputs[key]
        return [key, Array.isArray(value) ? [signature(String(value[0])), value[1]] : value]
      })
      const value = JSON.stringify([node.class_type, parts, this.nodes[node.class_type]?.isChanged?.(node.inputs, this.env) ?? ''])
      signatures.set(id, value)
      return value
    }
    const cached = [...toRun].filter((id) => this.cache.has(signature(id)))
    add('execution_cached', { nodes: cached, prompt_id: promptId }, false)

    const values = new Map<string, unknown[]>()
    const done = new Set<string>()
    const executed: string[] = []
    const ui: Record<string, unknown> = {}
    const used = new Map<string, { values: unknown[]; ui?: Record<string, unknown> }>()
    const ps: Record<string, Record<string, unknown>> = {}
    const sendState = (id: string, state: string, value: number, max: number) => {
      ps[id] = { value, max, state, node_id: id, prompt_id: promptId, display_node_id: id, parent_node_id: null, real_node_id: id }
      progressish('progress_state', { prompt_id: promptId, nodes: structuredClone(ps) })
    }
    let failure: { event: 'execution_error' | 'execution_interrupted'; data: Record<string, unknown> } | undefined

    while (done.size < toRun.size && !failure) {
      const id = nextReady(prompt, toRun, done, this.nodes)
      if (id === undefined) break
      const node = prompt[id]!
      const def = this.nodes[node.class_type]!
      const sig = signature(id)
      const hit = this.cache.get(sig)
      if (hit) {
        values.set(id, hit.values)
        used.set(sig, hit)
        if (hit.ui) {
          targeted('executed', { node: id, display_node: id, output: hit.ui, prompt_id: promptId })
          ui[id] = hit.ui
          sendState(id, 'finished', 1, 1)
        }
        done.add(id)
        continue
      }
      sendState(id, 'running', 0, 1)
      targeted('executing', { node: id, display_node: id, prompt_id: promptId })
      this.running = { item, node: id }
      const interrupted = () => ({ event: 'execution_interrupted' as const, data: { prompt_id: promptId, node_id: id, node_type: node.class_type, executed: [...executed] } })
      if (this.interruptFlag) {
        this.interruptFlag = false
        failure = interrupted()
        break
      }
      const behaviour = { ...this.behaviours.get(node.class_type), ...this.behaviours.get(id) }
      const delay = behaviour.delayMs ?? this.defaultDelayMs
      const steps = behaviour.steps ?? def.steps?.(node.inputs) ?? 0
      if (steps > 0) {
        for (let step = 1; step <= steps; step++) {
          await sleep(delay / steps)
          if (!live()) return
          if (this.interruptFlag) {
            this.interruptFlag = false
            failure = interrupted()
            break
          }
          sendState(id, 'running', step, steps)
          await this.sendPreview(sid, promptId, id)
          progressish('progress', { value: step, max: steps, prompt_id: promptId, node: id })
        }
        if (failure) break
      } else {
        await sleep(delay)
        if (!live()) return
      }
      const fail = this.failures.get(id) ?? this.failures.get(node.class_type)
      if (fail) {
        failure = { event: 'execution_error', data: { prompt_id: promptId, node_id: id, node_type: node.class_type, executed: [...executed], exception_message: FAILURES[fail].message(id), exception_type: FAILURES[fail].type, traceback: ['  File "/ComfyUI/execution.py", line 496, in execute\n'], current_inputs: {}, current_outputs: Object.keys(prompt) } }
        break
      }
      const inputs = Object.fromEntries(Object.entries(node.inputs).map(([key, value]) => [key, Array.isArray(value) ? values.get(String(value[0]))?.[Number(value[1])] : value]))
      const result = await def.run(inputs, this.runContext())
      if (!live()) return
      values.set(id, result.values)
      used.set(sig, result)
      if (result.ui) {
        targeted('executed', { node: id, display_node: id, output: result.ui, prompt_id: promptId })
        ui[id] = result.ui
      }
      sendState(id, 'finished', 1, 1)
      executed.push(id)
      done.add(id)
    }
    for (const [sig, entry] of used) this.cache.set(sig, entry)
    for (const sig of [...this.cache.keys()]) if (!used.has(sig)) this.cache.delete(sig)

    if (failure) add(failure.event, failure.data, failure.event === 'execution_interrupted')
    else add('execution_success', { prompt_id: promptId }, false)
    this.history.set(promptId, {
      prompt: item,
      outputs: ui,
      status: { status_str: failure ? 'error' : 'success', completed: !failure, messages },
      meta: Object.fromEntries(Object.keys(ui).map((id) => [id, { node_id: id, display_node: id, parent_node: null, real_node_id: id }])),
    })
    this.running = undefined
    this.broadcastStatus()
    this.finishedAt.set(promptId, performance.now())
    targeted('executing', { node: null, prompt_id: promptId })
  }

  private async sendPreview(sid: string | null, promptId: string, node: string): Promise<void> {
    this.previewJpeg ??= await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 60, b: 60 } } }).jpeg({ quality: 95 }).toBuffer()
    const jpeg = this.previewJpeg
    const meta = Buffer.from(JSON.stringify({ node_id: node, prompt_id: promptId, display_node_id: node, parent_node_id: null, real_node_id: node, image_type: 'image/jpeg' }))
    this.hub.sendBinary((ws) => {
      if (sid !== null && this.hub.wantsMetadata(ws)) return Buffer.concat([u32(4), u32(meta.length), meta, jpeg])
      return Buffer.concat([u32(1), u32(1), jpeg])
    }, sid)
  }

  private runContext(): NodeRunContext {
    return {
      inputDir: this.env.inputDir,
      save: async (picture: Picture, prefix: string, kind: 'output' | 'temp', format: 'png' | 'webp' = 'png') => {
        const parts = prefix.split('/')
        const name = parts.pop()!
        const subfolder = parts.join('/')
        const dir = join(kind === 'output' ? this.env.outputDir : this.env.tempDir, subfolder)
        await mkdir(dir, { recursive: true })
        const pattern = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_(\\d{5})_\\.${format}$`)
        let counter = Math.max(0, ...(await readdir(dir)).map((file) => Number(pattern.exec(file)?.[1] ?? 0))) + 1
        const files = []
        for (let i = 0; i < picture.batch; i++, counter++) {
          const filename = `${name}_${String(counter).padStart(5, '0')}_.${format}`
          const [r, g, b] = picture.rgb
          const image = sharp({ create: { width: picture.width, height: picture.height, channels: 3, background: { r, g, b } } })
          await (format === 'webp' ? image.webp() : image.png()).toFile(join(dir, filename))
          files.push({ filename, subfolder, type: kind })
        }
        return files
      },
    }
  }
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeUInt32BE(value)
  return buffer
}

function ancestors(prompt: Prompt, outputs: string[]): Set<string> {
  const seen = new Set<string>()
  const stack = [...outputs]
  while (stack.length > 0) {
    const id = stack.pop()!
    if (seen.has(id) || !prompt[id]) continue
    seen.add(id)
    for (const value of Object.values(prompt[id].inputs)) if (Array.isArray(value)) stack.push(String(value[0]))
  }
  return seen
}

/** Among ready nodes, output nodes first (comfy_execution/graph.py), then by id. */
function nextReady(prompt: Prompt, toRun: Set<string>, done: Set<string>, nodes: Record<string, NodeDef>): string | undefined {
  const ready = [...toRun].filter((id) => !done.has(id) && Object.values(prompt[id]!.inputs).every((v) => !Array.isArray(v) || done.has(String(v[0]))))
  ready.sort((a, b) => Number(!nodes[prompt[a]!.class_type]?.outputNode) - Number(!nodes[prompt[b]!.class_type]?.outputNode) || Number(a) - Number(b) || (a < b ? -1 : 1))
  return ready[0]
}

const before = (a: QueueItem, b: QueueItem) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])

function heapPush(heap: QueueItem[], item: QueueItem): void {
  heap.push(item)
  let i = heap.length - 1
  while (i > 0) {
    const parent = (i - 1) >> 1
    if (!before(heap[i]!, heap[parent]!)) break
    ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
    i = parent
  }
}

function heapPop(heap: QueueItem[]): QueueItem | undefined {
  if (heap.length === 0) return undefined
  const top = heap[0]
  const last = heap.pop()!
  if (heap.length > 0) {
    heap[0] = last
    siftDown(heap, 0)
  }
  return top
}

function siftDown(heap: QueueItem[], start: number): void {
  let i = start
  for (;;) {
    const l = 2 * i + 1
    const r = l + 1
    let m = i
    if (l < heap.length && before(heap[l]!, heap[m]!)) m = l
    if (r < heap.length && before(heap[r]!, heap[m]!)) m = r
    if (m === i) return
    ;[heap[i], heap[m]] = [heap[m]!, heap[i]!]
    i = m
  }
}

function heapify(heap: QueueItem[]): void {
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i)
}
