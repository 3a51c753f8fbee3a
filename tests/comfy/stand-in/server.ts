import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, mkdir } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Executor, type Behaviour, type Failure, type Prompt, type QueueItem } from './executor'
import { handleUpload, handleView, type Folders, type Reply } from './files'
import { SocketHub } from './hub'
import { DEFAULT_NODES, type NodeDef } from './nodes'
import { validatePrompt } from './validate'

export interface StandInOptions {
  nodes?: Record<string, NodeDef>
  models?: Record<string, string[]>
  latencyMs?: number
  /** Per node without its own behaviour. */
  nodeDelayMs?: number
}

interface PlannedFailure { status: number; afterQueueing: boolean; route: string; method?: string }

const CRASH = '500 Internal Server Error\n\nServer got itself in trouble'

/**
 * A ComfyUI 0.3.64 stand-in for tests: the HTTP routes and WebSocket messages of
 * docs comfyui-api.md, in process, on a random port. Prompts "run" by walking their nodes.
 */
export class ComfyStandIn {
  readonly hub: SocketHub
  readonly executor: Executor
  readonly folders: Folders
  latencyMs: number
  readonly models: Record<string, string[]>
  /** Every `POST /prompt` body, with the status it was answered with. */
  readonly received: Array<{ promptId: unknown; status: number; body: Record<string, unknown> }> = []
  /** The prompt ids actually queued, in order (a duplicate submission shows up twice). */
  readonly queued: string[] = []
  readonly interrupts: Array<Record<string, unknown>> = []
  readonly queueEdits: Array<Record<string, unknown>> = []
  /** performance.now() when each prompt was queued (for benchmarks). */
  readonly queuedAt = new Map<string, number>()
  /** The Authorization header of every HTTP request that had one (ComfyUI behind an auth proxy). */
  readonly authorizations: string[] = []
  private readonly failures: PlannedFailure[] = []
  private readonly nodes: Record<string, NodeDef>
  private server: Server
  private number = 0
  port = 0

  private constructor(private readonly root: string, options: StandInOptions) {
    this.folders = { input: join(root, 'input'), output: join(root, 'output'), temp: join(root, 'temp') }
    this.nodes = options.nodes ?? DEFAULT_NODES
    this.models = options.models ?? { checkpoints: ['sd15.safetensors', 'sdxl_base.safetensors'] }
    this.latencyMs = options.latencyMs ?? 0
    this.hub = new SocketHub((sid, ws) => {
      ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: this.executor.queueRemaining() } }, sid } }))
      const running = this.executor.running
      if (running?.node && running.item[3].client_id === sid) ws.send(JSON.stringify({ type: 'executing', data: { node: running.node } }))
    })
    this.executor = new Executor(this.hub, this.nodes, { inputDir: this.folders.input, outputDir: this.folders.output, tempDir: this.folders.temp, models: this.models })
    this.executor.defaultDelayMs = options.nodeDelayMs ?? 5
    this.server = this.createHttpServer()
  }

  static async start(options: StandInOptions = {}): Promise<ComfyStandIn> {
    const root = await mkdtemp(join(tmpdir(), 'comfy-stand-in-'))
    const standIn = new ComfyStandIn(root, options)
    for (const dir of Object.values(standIn.folders)) await mkdir(dir, { recursive: true })
    await standIn.listen(0)
    return standIn
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  /** The next `count` requests to `route` (any method unless given) answer `status`; `afterQueueing` queues the prompt first. */
  failNext(count: number, options: { status?: number; afterQueueing?: boolean; route?: string; method?: string } = {}): void {
    for (let i = 0; i < count; i++) this.failures.push({ status: options.status ?? 500, afterQueueing: options.afterQueueing ?? false, route: options.route ?? '/prompt', method: options.method })
  }

  behave(classTypeOrNodeId: string, behaviour: Behaviour): void {
    this.executor.behaviours.set(classTypeOrNodeId, behaviour)
  }

  /** Makes that node raise when it runs: out of GPU memory, a vanished model file, or a plain error. */
  failNode(classTypeOrNodeId: string, failure: Failure): void {
    this.executor.failures.set(classTypeOrNodeId, failure)
  }

  refuseSockets(refuse: boolean): void {
    this.hub.refusing = refuse
  }

  dropSockets(): void {
    this.hub.dropAll()
  }

  /** Like a ComfyUI restart: connections drop, queue, history and caches are lost, temp/ is wiped. */
  async restart(options: { downMs?: number } = {}): Promise<void> {
    await this.close()
    this.executor.reset()
    this.number = 0
    await rm(this.folders.temp, { recursive: true, force: true })
    await mkdir(this.folders.temp, { recursive: true })
    if (options.downMs) await sleep(options.downMs)
    this.server = this.createHttpServer()
    await this.listen(this.port)
  }

  async stop(): Promise<void> {
    await this.close()
    this.executor.reset()
    await rm(this.root, { recursive: true, force: true })
  }

  private async close(): Promise<void> {
    this.hub.dropAll()
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port
        resolve()
      })
    })
  }

  private createHttpServer(): Server {
    const server = createServer((req, res) => {
      void this.handle(req, res).catch(() => {
        if (!res.headersSent) send(res, { status: 500, text: CRASH })
      })
    })
    server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/api(?=\/)/, '')
      if (path === '/ws') this.hub.upgrade(req, socket, head)
      else socket.destroy()
    })
    return server
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x')
    const path = url.pathname.replace(/^\/api(?=\/)/, '')
    if (req.headers.authorization) this.authorizations.push(req.headers.authorization)
    const body = req.method === 'POST' ? await readBody(req) : Buffer.alloc(0)
    if (this.latencyMs) await sleep(this.latencyMs)
    const next = this.failures[0]
    const planned = next?.route === path && (!next.method || next.method === req.method) ? this.failures.shift() : undefined
    if (planned && !planned.afterQueueing) return send(res, { status: planned.status, text: CRASH })
    if (path === '/view' && req.method === 'GET') return handleView(this.folders, url.searchParams, res)
    const reply = await this.route(req.method ?? 'GET', path, url.searchParams, body, req)
    send(res, planned ? { status: planned.status, text: CRASH } : reply)
  }

  private async route(method: string, path: string, query: URLSearchParams, body: Buffer, req: IncomingMessage): Promise<Reply> {
    const json = () => JSON.parse(body.toString('utf8') || 'null') as Record<string, unknown>
    const key = `${method} ${path}`
    switch (key) {
      case 'POST /prompt': return this.postPrompt(json())
      case 'GET /prompt': return { status: 200, json: { exec_info: { queue_remaining: this.executor.queueRemaining() } } }
      case 'GET /queue': return { status: 200, json: { queue_running: this.executor.running ? [this.executor.running.item] : [], queue_pending: [...this.executor.pending] } }
      case 'POST /queue': {
        const edit = json()
        this.queueEdits.push(edit)
        if (edit.clear) this.executor.clearPending()
        if (Array.isArray(edit.delete)) this.executor.deletePending(edit.delete.map(String))
        return { status: 200 }
      }
      case 'POST /interrupt': {
        let parsed: unknown = {}
        try { parsed = body.length ? JSON.parse(body.toString('utf8')) : {} } catch { parsed = {} }
        if (parsed === null) return { status: 500, text: CRASH }
        const data = typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {}
        this.interrupts.push(data)
        this.executor.interrupt(typeof data.prompt_id === 'string' ? data.prompt_id : undefined)
        return { status: 200 }
      }
      case 'POST /free': return { status: 200 }
      case 'GET /history': return this.history(query)
      case 'POST /history': {
        const edit = json()
        if (edit.clear) this.executor.history.clear()
        if (Array.isArray(edit.delete)) for (const id of edit.delete) this.executor.history.delete(String(id))
        return { status: 200 }
      }
      case 'GET /object_info': return { status: 200, json: this.objectInfo() }
      case 'GET /system_stats': return { status: 200, json: SYSTEM_STATS }
      case 'GET /features': return { status: 200, json: { supports_preview_metadata: true, max_upload_size: 104857600.0 } }
      case 'GET /models': return { status: 200, json: Object.keys(this.models) }
      case 'POST /upload/image':
      case 'POST /upload/mask': {
        const form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body: new Uint8Array(body) }).formData()
        return handleUpload(this.folders, form, path === '/upload/mask')
      }
    }
    if (method === 'GET' && path.startsWith('/history/')) {
      const id = decodeURIComponent(path.slice('/history/'.length))
      const entry = this.executor.history.get(id)
      return { status: 200, json: entry ? { [id]: entry } : {} }
    }
    if (method === 'GET' && path.startsWith('/object_info/')) {
      const name = decodeURIComponent(path.slice('/object_info/'.length))
      const info = this.objectInfo()
      return { status: 200, json: name in info ? { [name]: info[name] } : {} }
    }
    if (method === 'GET' && path.startsWith('/models/')) {
      const list = this.models[path.slice('/models/'.length)]
      return list ? { status: 200, json: list } : { status: 404 }
    }
    return { status: 404, text: '404: Not Found' }
  }

  private postPrompt(body: Record<string, unknown>): Reply {
    let number: number
    if ('number' in body) {
      number = Number(body.number)
      if (Number.isNaN(number)) return { status: 500, text: CRASH }
    } else {
      number = body.front ? -this.number : this.number
      this.number++
    }
    const record = (status: number) => this.received.push({ promptId: body.prompt_id, status, body })
    if (!('prompt' in body)) {
      record(400)
      return { status: 400, json: { error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} } }
    }
    const promptId = 'prompt_id' in body ? (body.prompt_id === null ? 'None' : String(body.prompt_id)) : randomUUID()
    const prompt = structuredClone(body.prompt) as Prompt
    const partial = Array.isArray(body.partial_execution_targets) ? body.partial_execution_targets.map(String) : undefined
    const env = { inputDir: this.folders.input, models: this.models }
    const result = validatePrompt(prompt as unknown as Record<string, Record<string, unknown>>, this.nodes, env, partial)
    if (!result.ok) {
      record(400)
      return { status: 400, json: { error: result.error, node_errors: result.nodeErrors } }
    }
    const extra = { ...(body.extra_data as Record<string, unknown> | undefined) }
    if ('client_id' in body) extra.client_id = body.client_id
    const item: QueueItem = [number, promptId, prompt, extra, result.outputs]
    this.queued.push(promptId)
    this.queuedAt.set(promptId, performance.now())
    this.executor.put(item)
    record(200)
    return { status: 200, json: { prompt_id: promptId, number, node_errors: result.nodeErrors } }
  }

  private history(query: URLSearchParams): Reply {
    let entries = [...this.executor.history.entries()]
    const maxItems = query.get('max_items')
    const offset = query.get('offset')
    if ((maxItems !== null && !/^-?\d+$/.test(maxItems)) || (offset !== null && !/^-?\d+$/.test(offset))) return { status: 500, text: CRASH }
    if (offset !== null) entries = entries.slice(Number(offset))
    if (maxItems !== null) entries = offset !== null ? entries.slice(0, Number(maxItems)) : entries.slice(-Number(maxItems))
    return { status: 200, json: Object.fromEntries(entries) }
  }

  private objectInfo(): Record<string, unknown> {
    const env = { inputDir: this.folders.input, models: this.models }
    return Object.fromEntries(Object.entries(this.nodes).map(([name, def]) => [name, def.info(env)]))
  }
}

const SYSTEM_STATS = {
  system: { os: 'posix', ram_total: 67_245_572_096, ram_free: 51_539_607_552, comfyui_version: '0.3.64', required_frontend_version: '1.27.10', installed_templates_version: '0.1.94', required_templates_version: '0.1.94', python_version: '3.12.3 (main, Apr 10 2024) [GCC 13.2.0]', pytorch_version: '2.8.0+cu128', embedded_python: false, argv: ['main.py', '--listen'] },
  devices: [{ name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', type: 'cuda', index: 0, vram_total: 25_386_352_640, vram_free: 20_000_000_000, torch_vram_total: 1_073_741_824, torch_vram_free: 536_870_912 }],
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.json !== undefined) {
    const text = JSON.stringify(reply.json)
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  } else if (reply.text !== undefined) {
    res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(reply.text) })
    res.end(reply.text)
  } else {
    res.writeHead(reply.status, { 'content-type': 'application/octet-stream', 'content-length': 0 })
    res.end()
  }
}
