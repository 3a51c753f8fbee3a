import type { Database } from '../../db/connect'

export const PAUSE_KEY = 'comfy.paused'

export interface QueuePause { reason: string; at: string }

/**
 * The generation queue's pause switch (set when storage filled up, cleared by an admin), kept in
 * the database so every instance obeys it. Read often (before every generation starts), so the
 * answer is kept for a moment; this instance's own changes are seen at once.
 */
export class GenerationPause {
  private cached: { value: QueuePause | null; at: number } | null = null

  constructor(private readonly db: Database, private readonly cacheMs = 1000) {}

  /** `maxAgeMs` 0: read it now (what an admin is shown), else a moment-old answer will do. */
  async reason(maxAgeMs = this.cacheMs): Promise<QueuePause | null> {
    if (this.cached && performance.now() - this.cached.at < maxAgeMs) return this.cached.value
    const row = await this.db.prisma.appState.findUnique({ where: { key: PAUSE_KEY } })
    const value = row ? (row.value as unknown as QueuePause) : null
    this.cached = { value, at: performance.now() }
    return value
  }

  async pause(reason: string): Promise<void> {
    const value = { reason, at: new Date().toISOString() }
    await this.db.prisma.appState.upsert({ where: { key: PAUSE_KEY }, update: { value, updatedAt: new Date() }, create: { key: PAUSE_KEY, value } })
    this.cached = { value, at: performance.now() }
  }

  async resume(): Promise<void> {
    await this.db.prisma.appState.deleteMany({ where: { key: PAUSE_KEY } })
    this.cached = { value: null, at: performance.now() }
  }
}
