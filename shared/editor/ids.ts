/** Ids for new layers, keyframes and masks. */
let idCounter = 0

/** A short id, unique within a document in practice (random part plus a per-session counter). */
export function newId(prefix: string): string {
  idCounter = (idCounter + 1) % 1_000_000
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}${idCounter.toString(36)}`
}
