/**
 * Undo history as patches: an edit runs against a recording proxy of the document, which
 * writes through to the document and notes every property set or delete with the value it
 * replaced. Undo replays those notes backwards, redo forwards. Nothing is copied up front, so
 * the cost of an edit is proportional to what it changes, not to the document's size.
 *
 * Patches hold the changed object itself and the values as references, not copies. That is
 * sound as long as every change to the document goes through `record` and undo/redo run in
 * stack order: when a later edit mutates an object an earlier patch refers to, its own patches
 * restore that object first.
 *
 * Pure TypeScript; `unwrap` lets a caller strip its own proxies (Vue's `toRaw`) from values.
 */

/** Makes writes observable again (e.g. Vue's `reactive`), for undo and redo. */
export type Wrap = <T extends object>(value: T) => T

const identity: Wrap = (value) => value

export type PathKey = string | number
export type Path = PathKey[]

export interface Patch {
  /** The object that changed (unwrapped) and the key that changed on it. */
  target: object
  key: PathKey
  /** Where the object was reached from when the change was made (for inspection only). */
  path: Path
  /** Whether the property existed before the change (else undo deletes it). */
  had: boolean
  before: unknown
  /** Whether the property exists after the change (false for deletes). */
  has: boolean
  after: unknown
}

export interface RecordOptions {
  /** Strips foreign proxies (e.g. Vue's `toRaw`) so only plain data is stored. */
  unwrap?: <T>(value: T) => T
  /** Used to roll back an edit that throws (see undoPatches). */
  wrap?: Wrap
}

type AnyObject = Record<PropertyKey, unknown>

const DRAFT_TARGET = Symbol('draftTarget')

function isObject(value: unknown): value is AnyObject {
  return typeof value === 'object' && value !== null
}

/** The object a draft proxy wraps, or the value itself. */
function undraft(value: unknown): unknown {
  if (isObject(value)) {
    const target = (value as { [DRAFT_TARGET]?: unknown })[DRAFT_TARGET]
    if (target !== undefined) return target
  }
  return value
}

/**
 * Replaces draft proxies inside freshly built values (e.g. `{ ...draft.layers[0] }` copies the
 * draft proxies of nested objects) with what they wrap. Only plain objects and arrays are walked.
 */
function purge(value: unknown, unwrap: <T>(value: T) => T, seen = new Set<unknown>()): unknown {
  const direct = unwrap(undraft(value))
  if (!isObject(direct) || seen.has(direct)) return direct
  seen.add(direct)
  const proto = Object.getPrototypeOf(direct)
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return direct
  for (const key of Object.keys(direct)) {
    const child = direct[key]
    if (!isObject(child)) continue
    const clean = purge(child, unwrap, seen)
    if (clean !== child) direct[key] = clean
  }
  return direct
}

function keyOf(target: object, key: string): PathKey {
  if (Array.isArray(target) && /^(?:0|[1-9]\d*)$/.test(key)) return Number(key)
  return key
}

/**
 * Runs `mutator` on a draft of `root` (changes apply to `root` at once) and returns the
 * patches that undo and redo what it did, in the order it did them.
 */
export function record<T extends object>(root: T, mutator: (draft: T) => void, options: RecordOptions = {}): Patch[] {
  const unwrap = options.unwrap ?? (<V>(value: V) => value)
  const patches: Patch[] = []
  let open = true

  function draftOf(target: AnyObject, path: Path): AnyObject {
    const children = new Map<string, AnyObject>()
    const handler: ProxyHandler<AnyObject> = {
      get(obj, key) {
        if (key === DRAFT_TARGET) return obj
        // Array methods (iteration included) run natively on the draft, not as a wrapper's
        // own versions, so elements they read are drafts and the writes they make are recorded.
        if (open && Array.isArray(obj)) {
          const native = (Array.prototype as unknown as AnyObject)[key as string]
          if (typeof native === 'function') return native
        }
        const value = obj[key as string]
        if (typeof key === 'symbol' || !open) return value
        if (typeof value === 'function') return value
        if (!isObject(value)) return value
        // Cached per draft (not per object): a draft's path is where it was reached from.
        const cached = children.get(key)
        if (cached && cached[DRAFT_TARGET] === value) return cached
        const child = draftOf(value, [...path, keyOf(obj, key)])
        children.set(key, child)
        return child
      },
      set(obj, key, value) {
        if (typeof key === 'symbol' || !open) {
          obj[key as string] = value
          return true
        }
        const clean = purge(value, unwrap)
        const had = Object.hasOwn(obj, key)
        const before = had ? unwrap(obj[key]) : undefined
        if (had && Object.is(before, clean) && key !== 'length') return true
        const lengthBefore = Array.isArray(obj) ? obj.length : 0
        obj[key] = clean
        if (key === 'length' && Object.is(before, clean)) return true
        patches.push({ target: unwrap(obj), key: keyOf(obj, key), path: [...path, keyOf(obj, key)], had, before, has: true, after: clean })
        // Writing past the end grows an array: note the implicit length change too.
        if (Array.isArray(obj) && key !== 'length' && obj.length !== lengthBefore) {
          patches.push({ target: unwrap(obj), key: 'length', path: [...path, 'length'], had: true, before: lengthBefore, has: true, after: obj.length })
        }
        return true
      },
      deleteProperty(obj, key) {
        if (typeof key === 'symbol' || !open || !Object.hasOwn(obj, key)) {
          delete obj[key as string]
          return true
        }
        const before = unwrap(obj[key])
        delete obj[key]
        patches.push({ target: unwrap(obj), key: keyOf(obj, key), path: [...path, keyOf(obj, key)], had: true, before, has: false, after: undefined })
        return true
      },
    }
    return new Proxy(target, handler)
  }

  try {
    mutator(draftOf(root as AnyObject, []) as T)
  } catch (error) {
    // An edit that fails halfway leaves nothing behind.
    open = false
    undoPatches(patches, options.wrap)
    throw error
  } finally {
    open = false
  }
  return patches
}


/**
 * Puts back what `patches` changed (in reverse order). Patches hold the objects they changed,
 * so they apply wherever those objects have moved since (reordered layers, say).
 */
export function undoPatches(patches: readonly Patch[], wrap: Wrap = identity): void {
  for (let i = patches.length - 1; i >= 0; i--) {
    const patch = patches[i] as Patch
    const target = wrap(patch.target) as AnyObject
    if (patch.had) target[patch.key] = patch.before
    else delete target[patch.key]
  }
}

/** Applies `patches` again (in order). */
export function redoPatches(patches: readonly Patch[], wrap: Wrap = identity): void {
  for (const patch of patches) {
    const target = wrap(patch.target) as AnyObject
    if (patch.has) target[patch.key] = patch.after
    else delete target[patch.key]
  }
}

export interface HistoryEntry {
  label: string
  patches: Patch[]
  /** Edits with the same key in a row (a drag, typing in one field) undo as one. */
  mergeKey?: string
  at: number
}

export interface HistoryOptions {
  /** Most entries kept; the oldest are dropped beyond it. */
  limit?: number
  /** How long after the last edit with the same merge key a new one still joins it (ms). */
  mergeWindowMs?: number
  now?: () => number
  /** Passed to undoPatches / redoPatches. */
  wrap?: Wrap
}

/** A capped undo/redo stack of patch entries. */
export class PatchHistory {
  private done: HistoryEntry[] = []
  private undone: HistoryEntry[] = []
  private readonly limit: number
  private readonly mergeWindowMs: number
  private readonly now: () => number
  private readonly wrap: Wrap

  constructor(options: HistoryOptions = {}) {
    this.limit = options.limit ?? 200
    this.mergeWindowMs = options.mergeWindowMs ?? 1000
    this.now = options.now ?? (() => Date.now())
    this.wrap = options.wrap ?? identity
  }

  get canUndo(): boolean {
    return this.done.length > 0
  }

  get canRedo(): boolean {
    return this.undone.length > 0
  }

  get undoLabel(): string | null {
    return this.done.at(-1)?.label ?? null
  }

  get redoLabel(): string | null {
    return this.undone.at(-1)?.label ?? null
  }

  get size(): number {
    return this.done.length
  }

  /** Adds an edit's patches; an edit that changed nothing is not an entry. */
  push(label: string, patches: Patch[], mergeKey?: string): void {
    if (patches.length === 0) return
    const at = this.now()
    this.undone = []
    const last = this.done.at(-1)
    if (mergeKey !== undefined && last && last.mergeKey === mergeKey && at - last.at <= this.mergeWindowMs) {
      last.patches.push(...patches)
      last.at = at
      return
    }
    this.done.push({ label, patches, mergeKey, at })
    if (this.done.length > this.limit) this.done.splice(0, this.done.length - this.limit)
  }

  /** The last entry, which undo would take back. */
  peek(): HistoryEntry | null {
    return this.done.at(-1) ?? null
  }

  /**
   * Takes back the last entry when it carries `mergeKey` (undone, and not redoable): a live
   * drag re-applies its whole change from the starting state at each step this way, so what
   * it passes over on the way is left as it was.
   */
  revertLast(mergeKey: string): boolean {
    const last = this.done.at(-1)
    if (!last || last.mergeKey !== mergeKey) return false
    undoPatches(last.patches, this.wrap)
    this.done.pop()
    return true
  }

  /** Stops the last entry from absorbing further edits with its merge key. */
  seal(): void {
    const last = this.done.at(-1)
    if (last) last.mergeKey = undefined
  }

  undo(): HistoryEntry | null {
    const entry = this.done.pop()
    if (!entry) return null
    undoPatches(entry.patches, this.wrap)
    entry.mergeKey = undefined
    this.undone.push(entry)
    return entry
  }

  redo(): HistoryEntry | null {
    const entry = this.undone.pop()
    if (!entry) return null
    redoPatches(entry.patches, this.wrap)
    this.done.push(entry)
    return entry
  }

  clear(): void {
    this.done = []
    this.undone = []
  }
}
