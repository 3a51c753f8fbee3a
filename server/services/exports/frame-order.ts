/**
 * Puts frames back in order per pass: the page keeps two frames in flight, so frame n+1 of a pass
 * can arrive while frame n is still being taken. `take` resolves once the frame was handed on,
 * which is what the page waits for (backpressure all the way to the encoder).
 */
export class FrameOrder {
  private readonly next = new Map<string, number>()
  private readonly waiting = new Map<string, Map<number, () => void>>()

  constructor(private readonly first: number, private readonly handOn: (frame: number, key: string, bytes: Buffer) => Promise<void>) {}

  async take(frame: number, key: string, bytes: Buffer): Promise<void> {
    const expected = this.next.get(key) ?? this.first
    if (frame < expected) throw new Error(`frame ${frame} of ${key} arrived twice`)
    if (frame > expected) {
      const waiting = this.waiting.get(key) ?? new Map<number, () => void>()
      this.waiting.set(key, waiting)
      if (waiting.has(frame)) throw new Error(`frame ${frame} of ${key} arrived twice`)
      await new Promise<void>((resolve) => waiting.set(frame, resolve))
    }
    try {
      await this.handOn(frame, key, bytes)
    } finally {
      this.next.set(key, frame + 1)
      const waiting = this.waiting.get(key)
      const after = waiting?.get(frame + 1)
      if (after) {
        waiting!.delete(frame + 1)
        after()
      }
    }
  }
}
