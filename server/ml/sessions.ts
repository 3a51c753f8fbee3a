import type { ModelManifest } from '../../shared/ai/manifest'
import { AppError } from '../../shared/errors'
import { Fifo } from './fifo'
import type { LoadedModel } from './types'

/** A model opened by the loader, and how to let it go. */
export interface OpenedModel { model: LoadedModel; dispose(): Promise<void> }

export interface PoolOptions {
  memoryBudgetBytes: number
  idleMs: number
  /** Checks the files (throws the missing/corrupt error) and opens the model. */
  open(manifest: ModelManifest, signal?: AbortSignal): Promise<OpenedModel>
  /** What a model is expected to need before it loads: the sum of its file sizes. */
  estimate(manifest: ModelManifest): number
  log(message: string): void
}

interface Slot {
  manifest: ModelManifest
  /** One request at a time per model. */
  fifo: Fifo
  loaded: (OpenedModel & { memoryBytes: number; loadedAt: number }) | null
  lastUsedAt: number | null
  /** Order of last use (clock milliseconds tie). */
  lastUse: number
  idleTimer: NodeJS.Timeout | null
}

const MB = 1024 * 1024
const mb = (bytes: number) => `${Math.ceil(bytes / MB)} MB`

/**
 * The models in memory: loaded lazily on first use and shared by every request, one request per
 * model at a time (different models run side by side), unloaded when idle or when another model
 * needs the room (least recently used first, never one a request holds).
 */
export class ModelPool {
  private readonly slots = new Map<string, Slot>()
  /** Loads run one at a time, so the RSS growth measured around a load belongs to that model. */
  private readonly loading = new Fifo()
  private readonly inflight = new Set<Promise<unknown>>()
  private releaseWaiters: Array<() => void> = []
  private closed = false
  private uses = 0

  constructor(private readonly options: PoolOptions) {}

  add(manifest: ModelManifest): void {
    this.slots.set(manifest.id, { manifest, fifo: new Fifo(), loaded: null, lastUsedAt: null, lastUse: 0, idleTimer: null })
  }

  state(id: string): { device: LoadedModel['device']; memoryBytes: number; lastUsedAt: number | null } | null {
    const slot = this.slots.get(id)
    if (!slot?.loaded) return null
    return { device: slot.loaded.model.device, memoryBytes: slot.loaded.memoryBytes, lastUsedAt: slot.lastUsedAt }
  }

  lastUsedAt(id: string): number | null {
    return this.slots.get(id)?.lastUsedAt ?? null
  }

  /** Bytes held by loaded models. */
  used(): number {
    let sum = 0
    for (const slot of this.slots.values()) sum += slot.loaded?.memoryBytes ?? 0
    return sum
  }

  use<T>(id: string, work: (model: LoadedModel) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const slot = this.slots.get(id)
    if (!slot) return Promise.reject(new AppError('NOT_FOUND', `There is no AI model "${id}".`))
    const run = this.run(slot, work, signal)
    this.inflight.add(run)
    const forget = () => { this.inflight.delete(run) }
    run.then(forget, forget)
    return run
  }

  /** Waits for the model's current request, then unloads it (before its files are removed). */
  async unload(id: string): Promise<void> {
    const slot = this.slots.get(id)
    if (!slot) return
    await slot.fifo.acquire()
    try {
      await this.drop(slot, 'removed')
    } finally {
      this.release(slot)
    }
  }

  /** Turns queued requests away, waits for the running ones, and releases every model. */
  async close(): Promise<void> {
    this.closed = true
    const closing = new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down; try again when it is back.')
    for (const slot of this.slots.values()) slot.fifo.rejectAll(closing)
    this.loading.rejectAll(closing)
    for (const wake of this.releaseWaiters.splice(0)) wake()
    await Promise.allSettled([...this.inflight])
    for (const slot of this.slots.values()) await this.drop(slot, 'shutting down')
  }

  private async run<T>(slot: Slot, work: (model: LoadedModel) => Promise<T>, signal?: AbortSignal): Promise<T> {
    this.refuseWhenClosed()
    await slot.fifo.acquire(signal)
    try {
      this.refuseWhenClosed()
      signal?.throwIfAborted()
      if (slot.idleTimer) clearTimeout(slot.idleTimer)
      slot.idleTimer = null
      const loaded = slot.loaded ?? await this.load(slot, signal)
      slot.lastUsedAt = Date.now()
      return await work(loaded.model)
    } finally {
      slot.lastUsedAt = Date.now()
      slot.lastUse = ++this.uses
      this.release(slot)
    }
  }

  private release(slot: Slot): void {
    slot.fifo.release()
    if (slot.fifo.idle && slot.loaded && !this.closed) {
      slot.idleTimer = setTimeout(() => {
        slot.idleTimer = null
        if (slot.fifo.idle) void this.drop(slot, 'idle')
      }, this.options.idleMs)
      slot.idleTimer.unref()
    }
    for (const wake of this.releaseWaiters.splice(0)) wake()
  }

  private async load(slot: Slot, signal?: AbortSignal): Promise<NonNullable<Slot['loaded']>> {
    const { manifest } = slot
    const { memoryBudgetBytes } = this.options
    const estimate = this.options.estimate(manifest)
    if (estimate > memoryBudgetBytes) {
      throw new AppError('PRECONDITION_FAILED', `The AI model "${manifest.name}" needs about ${mb(estimate)}, more than the ${mb(memoryBudgetBytes)} all models may use; raise LATTICE_AI_MEMORY_MB if this machine has the memory.`, { kind: 'memory_budget', modelId: manifest.id })
    }
    await this.loading.acquire(signal)
    try {
      await this.makeRoom(slot, estimate, signal)
      const before = process.memoryUsage.rss()
      const opened = await this.options.open(manifest, signal)
      // ORT allocates outside the V8 heap and may hold more than the file (unpacked or converted
      // weights, arenas); RSS growth alone undercounts when pages are shared or mapped lazily, and
      // a GC during the load can even shrink it. The larger of the two is the safer charge.
      const memoryBytes = Math.max(estimate, process.memoryUsage.rss() - before)
      slot.loaded = { ...opened, memoryBytes, loadedAt: Date.now() }
      this.options.log(`[ai] loaded ${manifest.id} on ${opened.model.device} (about ${mb(memoryBytes)}; ${mb(this.used())} of ${mb(memoryBudgetBytes)} in use)`)
      return slot.loaded
    } catch (error) {
      throw outOfMemory(error, manifest, estimate) ?? error
    } finally {
      this.loading.release()
    }
  }

  /** Unloads least-recently-used idle models until `needed` fits; waits while the rest are in use. */
  private async makeRoom(slot: Slot, needed: number, signal?: AbortSignal): Promise<void> {
    const budget = this.options.memoryBudgetBytes
    while (this.used() + needed > budget) {
      this.refuseWhenClosed()
      const victims = [...this.slots.values()]
        .filter((s) => s !== slot && s.loaded && !s.fifo.held)
        .sort((a, b) => a.fifo.waiting - b.fifo.waiting || a.lastUse - b.lastUse)
      const victim = victims[0]
      if (victim) {
        await this.drop(victim, `making room for ${slot.manifest.id}`)
        continue
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal!.reason)
        signal?.addEventListener('abort', onAbort, { once: true })
        this.releaseWaiters.push(() => { signal?.removeEventListener('abort', onAbort); resolve() })
      })
    }
  }

  private async drop(slot: Slot, why: string): Promise<void> {
    if (slot.idleTimer) clearTimeout(slot.idleTimer)
    slot.idleTimer = null
    const loaded = slot.loaded
    if (!loaded) return
    slot.loaded = null
    await loaded.dispose().catch((error: Error) => this.options.log(`[ai] releasing ${slot.manifest.id} failed: ${error.message}`))
    this.options.log(`[ai] unloaded ${slot.manifest.id} (${why})`)
  }

  private refuseWhenClosed(): void {
    if (this.closed) throw new AppError('SERVICE_UNAVAILABLE', 'The server is shutting down; try again when it is back.')
  }
}

const OOM = /out of memory|bad_alloc|failed to allocate|cannot allocate|allocation fail|ENOMEM/i

/** An allocation failure while loading becomes advice about the budget; the server stays up. */
function outOfMemory(error: unknown, manifest: ModelManifest, estimate: number): AppError | null {
  if (error instanceof AppError || !OOM.test(String((error as Error)?.message ?? error))) return null
  return new AppError('SERVICE_UNAVAILABLE', `This machine ran out of memory loading the AI model "${manifest.name}" (about ${mb(estimate)}). Lower LATTICE_AI_MEMORY_MB to what the machine can spare so fewer models stay loaded, or free memory.`, { kind: 'out_of_memory', modelId: manifest.id })
}
