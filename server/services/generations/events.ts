import { EventEmitter } from 'node:events'
import type { Database } from '../../db/connect'
import { generationEventSchema, TERMINAL_GENERATION_STATUSES, type GenerationEvent, type GenerationEventEnvelope, type GenerationStatus } from '../../../shared/comfy/manifest'

/**
 * The append-only log of generations (status, progress, previews). Stored first, then announced
 * in-process; watchers also poll, so events written by another app instance arrive too.
 */
export class GenerationEventLog {
  private readonly bus = new EventEmitter()

  constructor(private readonly db: Database, private readonly pollIntervalMs = 1000) {
    this.bus.setMaxListeners(0)
  }

  async append(generationId: string, event: GenerationEvent): Promise<GenerationEventEnvelope> {
    const row = await this.db.prisma.generationEvent.create({ data: { generationId, event: event as object } })
    const envelope = { id: row.id, generationId, at: row.createdAt.toISOString(), event }
    this.bus.emit(generationId, envelope)
    return envelope
  }

  /** Events after `afterId`, then live ones, until the generation ends or `signal` aborts. */
  async *watch(generationId: string, afterId: number, signal?: AbortSignal): AsyncGenerator<GenerationEventEnvelope> {
    let cursor = afterId
    while (!signal?.aborted) {
      const rows = await this.db.prisma.generationEvent.findMany({ where: { generationId, id: { gt: cursor } }, orderBy: { id: 'asc' }, take: 200 })
      for (const row of rows) {
        cursor = row.id
        const parsed = generationEventSchema.safeParse(row.event)
        if (parsed.success) yield { id: row.id, generationId, at: row.createdAt.toISOString(), event: parsed.data }
      }
      if (rows.length === 200) continue
      const generation = await this.db.prisma.generation.findUnique({ where: { id: generationId }, select: { status: true } })
      if (!generation) return
      if (TERMINAL_GENERATION_STATUSES.includes(generation.status as GenerationStatus)) {
        // Terminal status events are written before the row changes, so nothing is missed.
        const tail = await this.db.prisma.generationEvent.count({ where: { generationId, id: { gt: cursor } } })
        if (tail === 0) return
        continue
      }
      await this.nextAnnouncement(generationId, signal)
    }
  }

  private nextAnnouncement(generationId: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.bus.off(generationId, done)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, this.pollIntervalMs)
      this.bus.on(generationId, done)
      signal?.addEventListener('abort', done)
    })
  }
}
