import type { CanonicalCheck } from '../canonical-check'
import { compileEditorChecks, type ProjectDocument } from '../project'
import type { Patch } from './history'

interface LayerEntry {
  canonical: boolean
  /** The layer's JSON, made the first time a save needs it. */
  json?: string
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null

/**
 * What autosave needs of the open document (is it canonical, and its JSON text), kept per
 * layer and redone only for layers an edit touched: for a 5 MB shot a full validation walk and
 * `JSON.stringify` would otherwise block the editor for a good part of a second at every
 * autosave. Compositions and the document's own fields are small and done each time.
 *
 * Sound while every change to the document is a patch given to `forget` (the editor store's
 * rule: all edits, undo and redo go through patches) and no object is shared by two layers.
 */
export class SaveCache {
  private readonly layers = new WeakMap<object, LayerEntry>()
  /** Each object inside a known layer, to the layer: what a patch's target belongs to. */
  private readonly owners = new WeakMap<object, object>()
  private readonly checks: ReturnType<typeof compileEditorChecks> | null

  constructor() {
    const layerCheck: CanonicalCheck = (value) => isObject(value) && this.entry(value).canonical
    let checks: ReturnType<typeof compileEditorChecks> | null = null
    try {
      checks = compileEditorChecks(layerCheck)
    } catch {
      // A schema feature the checker does not model: saves take zod's path.
    }
    this.checks = checks
  }

  /** Whether the document is in canonical form: valid, with nothing for zod to change. */
  isCanonical(doc: unknown): doc is ProjectDocument {
    return this.checks !== null && this.checks.document(doc)
  }

  /** `JSON.stringify(doc)`, byte for byte, from the layers' kept texts; for canonical documents. */
  text(doc: ProjectDocument): string {
    return objectText(doc, (key, value) => key !== 'compositions'
      ? JSON.stringify(value)
      : objectText(value as object, (_, composition) => objectText(composition as object, (field, fieldValue) => field !== 'layers'
        ? JSON.stringify(fieldValue)
        : `[${(fieldValue as object[]).map((layer) => this.layerText(layer)).join(',')}]`)))
  }

  /**
   * Fills the cache for the document's layers a few at a time, so the first save after opening
   * is as quick as the later ones: call `next()` while there is idle time, until it is done.
   */
  *warmUp(doc: ProjectDocument): Generator<void, void, void> {
    if (!this.checks) return
    for (const composition of Object.values(doc.compositions)) {
      for (const layer of composition.layers) {
        if (this.entry(layer).canonical) this.layerText(layer)
        yield
      }
    }
  }

  /** Drops what is kept for the layers these patches changed. */
  forget(patches: readonly Patch[]): void {
    for (const { target } of patches) {
      const layer = this.layers.has(target) ? target : this.owners.get(target)
      if (layer) this.layers.delete(layer)
    }
  }

  private entry(layer: object): LayerEntry {
    let entry = this.layers.get(layer)
    if (!entry) {
      entry = { canonical: this.checks!.layer(layer) }
      this.own(layer, layer)
      this.layers.set(layer, entry)
    }
    return entry
  }

  private layerText(layer: object): string {
    const entry = this.entry(layer)
    return (entry.json ??= JSON.stringify(layer))
  }

  private own(value: object, layer: object): void {
    for (const child of Object.values(value)) {
      if (isObject(child)) {
        this.owners.set(child, layer)
        this.own(child, layer)
      }
    }
  }
}

/** An object's JSON with each member's value given by `valueText`, as JSON.stringify orders and skips members. */
function objectText(value: object, valueText: (key: string, value: unknown) => string): string {
  const members: string[] = []
  for (const [key, member] of Object.entries(value)) {
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue
    members.push(`${JSON.stringify(key)}:${valueText(key, member)}`)
  }
  return `{${members.join(',')}}`
}
