import { randomUUID } from 'node:crypto'
import { classifyExecutionError } from './classify'
import type { ComfyConnection } from './connection'
import { ComfyError } from './errors'
import { locatePrompt } from './locate'
import { outputNodeIds } from './object-info'
import { outputFiles } from './outputs'
import { nodesToRun, ProgressTracker, trackMessage, type RunProgress } from './progress'
import { executionErrorSchema, type ComfyMessage, type FileRef, type HistoryEntry, type NodeOutput, type ObjectInfo, type Workflow } from './protocol'
import type { Preview } from './socket'
import { submitPromptOnce } from './submit'
import { validateWorkflow } from './validate-workflow'

export interface RunPromptOptions {
  /** Chosen by us so events can be matched before `POST /prompt` answers; a uuid by default. */
  promptId?: string
  extraData?: Record<string, unknown>
  /** Aborting cancels the run on the server (interrupt when running, delete when pending). */
  signal?: AbortSignal
  /** For the whole run, queue wait included; on expiry the run is stopped and fails. */
  timeoutMs?: number
  /** How often `/history` and `/queue` are read as a safety net for missed events. */
  pollIntervalMs?: number
  /** How long to wait for the server to confirm a cancel or timeout before giving up on it. */
  cancelGraceMs?: number
  submitAttempts?: number
  /** Check the workflow against `/object_info` before queueing (default true). */
  validate?: boolean
  socketReadyTimeoutMs?: number
  onProgress?: (progress: RunProgress) => void
  onPreview?: (preview: Preview) => void
  onLog?: (message: string, level: 'info' | 'warn') => void
  /**
   * Follow a prompt queued earlier (by this id) instead of submitting: after our own restart.
   * Resolves `lost` at once when the server no longer knows the id.
   */
  attach?: boolean
  /** Aborting stops following the run without touching it on the server; resolves `detached`. */
  detach?: AbortSignal
}

export type RunOutcome =
  | { status: 'succeeded'; promptId: string; outputs: Record<string, NodeOutput>; files: FileRef[]; history: HistoryEntry }
  | { status: 'failed'; promptId: string; error: ComfyError; outputs: Record<string, NodeOutput> }
  | { status: 'cancelled'; promptId: string }
  /** Gone from the server's queue and history while pending or running (a restart, or deleted elsewhere): queue it again. */
  | { status: 'lost'; promptId: string }
  /** We stopped following it (the `detach` signal); it may still run on the server. */
  | { status: 'detached'; promptId: string }

/**
 * Runs one workflow on a ComfyUI server and resolves when the server is done with it. Submission
 * errors throw (a ComfyError: transient or not); everything after queueing is a RunOutcome.
 */
export async function runPrompt(connection: ComfyConnection, workflow: Workflow, options: RunPromptOptions = {}): Promise<RunOutcome> {
  const promptId = options.promptId ?? randomUUID()
  let objectInfo = connection.objectInfo.peek()
  if (options.validate !== false) {
    objectInfo = await connection.objectInfo.get(options.signal)
    try {
      validateWorkflow(workflow, objectInfo)
    } catch (error) {
      // The cached copy may predate a model or custom node installed since: look again before refusing.
      if (!(error instanceof ComfyError) || (error.kind !== 'missing_model' && error.kind !== 'missing_node')) throw error
      objectInfo = await connection.objectInfo.refresh(options.signal)
      validateWorkflow(workflow, objectInfo)
    }
  }
  // Listen before queueing: a cached prompt can run completely before POST /prompt answers.
  const watch = new PromptWatch(connection, promptId, workflow, objectInfo, options)
  try {
    await connection.socket.ready(options.socketReadyTimeoutMs ?? 5000)
    if (options.attach) {
      const location = await locatePrompt(connection.http, promptId, options.signal)
      if (location.where === 'absent') return { status: 'lost', promptId }
      if (location.where === 'history') watch.settleFromHistory(location.entry)
      return await watch.wait()
    }
    // Nothing was submitted yet: a caller that stopped following must not start the run.
    if (options.detach?.aborted) return { status: 'detached', promptId }
    const found = await submitPromptOnce(connection.http, {
      prompt: workflow,
      prompt_id: promptId,
      client_id: connection.socket.clientId,
      extra_data: options.extraData,
    }, { attempts: options.submitAttempts, objectInfo, refreshObjectInfo: () => connection.objectInfo.refresh(options.signal), signal: options.signal, onLog: options.onLog })
    if (found?.where === 'history') watch.settleFromHistory(found.entry)
    return await watch.wait()
  } finally {
    watch.dispose()
  }
}

type StopReason = 'cancel' | 'timeout'

class PromptWatch {
  private readonly tracker: ProgressTracker
  private readonly outputs: Record<string, NodeOutput> = {}
  private readonly disposers: Array<() => void> = []
  private outcome?: RunOutcome
  private resolve?: (outcome: RunOutcome) => void
  private stopReason?: StopReason
  private checking = false
  private checkAgain = false
  private finishing = false

  constructor(private readonly connection: ComfyConnection, private readonly promptId: string, workflow: Workflow, objectInfo: ObjectInfo | undefined, private readonly options: RunPromptOptions) {
    this.tracker = new ProgressTracker(promptId, workflow, nodesToRun(workflow, objectInfo ? outputNodeIds(workflow, objectInfo) : undefined))
    const { socket } = connection
    const onMessage = (message: ComfyMessage) => this.onMessage(message)
    const onPreview = (preview: Preview) => { if (preview.promptId === promptId) options.onPreview?.(preview) }
    // After a reconnect nothing is replayed: re-sync from the server at once.
    const onOpen = ({ reconnected }: { reconnected: boolean }) => { if (reconnected) this.check() }
    socket.on('message', onMessage)
    socket.on('preview', onPreview)
    socket.on('open', onOpen)
    this.disposers.push(() => { socket.off('message', onMessage); socket.off('preview', onPreview); socket.off('open', onOpen) })
  }

  wait(): Promise<RunOutcome> {
    if (this.outcome) return Promise.resolve(this.outcome)
    const poll = setInterval(() => this.check(), this.options.pollIntervalMs ?? 2000)
    this.disposers.push(() => clearInterval(poll))
    if (this.options.timeoutMs !== undefined) {
      const timer = setTimeout(() => this.stop('timeout'), this.options.timeoutMs)
      this.disposers.push(() => clearTimeout(timer))
    }
    const detach = this.options.detach
    if (detach) {
      const onDetach = () => this.settle({ status: 'detached', promptId: this.promptId })
      if (detach.aborted) onDetach()
      detach.addEventListener('abort', onDetach, { once: true })
      this.disposers.push(() => detach.removeEventListener('abort', onDetach))
    }
    const signal = this.options.signal
    if (signal) {
      const onAbort = () => this.stop('cancel')
      if (signal.aborted) onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      this.disposers.push(() => signal.removeEventListener('abort', onAbort))
    }
    this.emitProgress()
    return new Promise((resolve) => {
      this.resolve = resolve
      if (this.outcome) resolve(this.outcome)
    })
  }

  dispose(): void {
    for (const dispose of this.disposers.splice(0)) dispose()
  }

  private onMessage(message: ComfyMessage): void {
    if (this.outcome || !('prompt_id' in message.data) || message.data.prompt_id !== this.promptId) return
    if (message.type === 'executing' && message.data.node === null) {
      // The only completion signal; the history entry is written just before it.
      void this.finish()
      return
    }
    if (message.type === 'executed' && message.data.output) this.outputs[message.data.node] = message.data.output
    if (!trackMessage(this.tracker, message)) return
    this.emitProgress()
  }

  private stop(reason: StopReason): void {
    if (this.outcome || this.stopReason) return
    this.stopReason = reason
    this.options.onLog?.(reason === 'timeout' ? `The ComfyUI run took longer than ${this.options.timeoutMs} ms; stopping it.` : 'Cancelling the ComfyUI run.', reason === 'timeout' ? 'warn' : 'info')
    this.check()
    // Check often until the server confirms; give up waiting after the grace period.
    const quick = setInterval(() => this.check(), Math.min(500, this.options.pollIntervalMs ?? 2000))
    const grace = setTimeout(() => this.settle(this.stoppedOutcome()), this.options.cancelGraceMs ?? 15_000)
    this.disposers.push(() => { clearInterval(quick); clearTimeout(grace) })
  }

  /** Reads `/history` after `executing {node:null}`; it can rarely still be empty, so retry briefly. */
  private async finish(): Promise<void> {
    if (this.finishing) return
    this.finishing = true
    try {
      for (let attempt = 0; attempt < 10 && !this.outcome; attempt++) {
        const entry = await this.connection.http.getHistoryEntry(this.promptId).catch(() => undefined)
        if (entry) return this.settleFromHistory(entry)
        await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)))
      }
    } finally {
      this.finishing = false
    }
  }

  /** The safety net: where the prompt is now, by HTTP. Serialised; a request during a check re-runs it. */
  private check(): void {
    if (this.outcome) return
    if (this.checking) {
      this.checkAgain = true
      return
    }
    this.checking = true
    void this.checkOnce().catch((error: unknown) => {
      this.options.onLog?.(`Checking the prompt on ComfyUI failed: ${(error as Error).message}`, 'warn')
    }).finally(() => {
      this.checking = false
      if (this.checkAgain && !this.outcome) {
        this.checkAgain = false
        this.check()
      }
    })
  }

  private async checkOnce(): Promise<void> {
    const { http } = this.connection
    const location = await locatePrompt(http, this.promptId)
    if (this.outcome) return
    switch (location.where) {
      case 'history': return this.settleFromHistory(location.entry)
      case 'running':
        this.tracker.started()
        if (this.stopReason) await http.interrupt(this.promptId)
        break
      case 'pending':
        this.tracker.pending(location.ahead)
        if (this.stopReason) await http.deleteFromQueue([this.promptId])
        break
      case 'absent':
        return this.settle(this.stopReason ? this.stoppedOutcome() : { status: 'lost', promptId: this.promptId })
    }
    this.emitProgress()
  }

  settleFromHistory(entry: HistoryEntry): void {
    const outputs = Object.fromEntries(Object.entries(entry.outputs).filter((pair): pair is [string, NodeOutput] => pair[1] !== null))
    const messages = entry.status?.messages ?? []
    const succeeded = entry.status ? entry.status.status_str === 'success' && entry.status.completed : !messages.some(([type]) => type === 'execution_error')
    if (this.stopReason === 'cancel') return this.settle({ status: 'cancelled', promptId: this.promptId })
    if (succeeded) {
      this.tracker.finished()
      this.emitProgress()
      return this.settle({ status: 'succeeded', promptId: this.promptId, outputs, files: outputFiles(outputs), history: entry })
    }
    const errorMessage = messages.find(([type]) => type === 'execution_error')
    const parsedError = errorMessage ? executionErrorSchema.safeParse(errorMessage[1]) : undefined
    let error: ComfyError
    if (parsedError?.success) error = classifyExecutionError(parsedError.data)
    else if (this.stopReason === 'timeout') error = this.timeoutError()
    else if (messages.some(([type]) => type === 'execution_interrupted')) error = new ComfyError('interrupted', 'The run was interrupted on the ComfyUI server (cancelled there, or by another client). Run it again.')
    else error = new ComfyError('node_failed', 'ComfyUI reports the run as failed without saying why. Check the ComfyUI server log, then run it again.')
    this.settle({ status: 'failed', promptId: this.promptId, error, outputs: { ...this.outputs, ...outputs } })
  }

  private stoppedOutcome(): RunOutcome {
    return this.stopReason === 'timeout'
      ? { status: 'failed', promptId: this.promptId, error: this.timeoutError(), outputs: this.outputs }
      : { status: 'cancelled', promptId: this.promptId }
  }

  private timeoutError(): ComfyError {
    const seconds = Math.round((this.options.timeoutMs ?? 0) / 1000)
    return new ComfyError('timeout', `The ComfyUI run took longer than ${seconds} s and was stopped. Raise the time limit, or make the workflow lighter (fewer frames or steps, lower resolution).`, { timeoutMs: this.options.timeoutMs })
  }

  private settle(outcome: RunOutcome): void {
    if (this.outcome) return
    this.outcome = outcome
    this.dispose()
    this.resolve?.(outcome)
  }

  private emitProgress(): void {
    if (!this.outcome) this.options.onProgress?.(this.tracker.snapshot())
  }
}
