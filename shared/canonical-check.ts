import type { z } from 'zod'

/** Whether a value is already in a schema's canonical form (see `compileCanonicalCheck`). */
export type CanonicalCheck = (value: unknown) => boolean

export interface CanonicalCheckOptions {
  /**
   * Checks to use for parts of the schema instead of compiling them, e.g. one that remembers
   * which layers it already found canonical. Such a check must answer as the compiled one would.
   */
  replace?: ReadonlyMap<z.ZodType, CanonicalCheck>
}

/** A zod schema seen through its definition (zod 4's `_zod` surface for tools built on schemas). */
interface Node {
  _zod: {
    def: { type: string; checks?: CheckNode[] } & Record<string, unknown>
    traits: Set<string>
    optin?: string
    optout?: string
    values?: Set<unknown>
    propValues?: Record<string, Set<unknown>>
  }
}
interface CheckNode {
  _zod: { def: { check: string; when?: (payload: Payload) => boolean }; check(payload: Payload): unknown }
}
interface Payload { value: unknown; issues: unknown[] }

/** Checks that only test the value; anything that could rewrite it (trim, overwrite) is unsupported. */
const TESTING_CHECKS = new Set(['min_length', 'max_length', 'length_equals', 'string_format', 'greater_than', 'less_than', 'number_format', 'multiple_of', 'custom'])

/** What zod builds its output from; other objects (class instances, null prototypes) are left to zod. */
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype

/**
 * Compiles a zod schema into a predicate that is true only when `schema.parse(value)` would
 * succeed and return a deep copy of `value`: every default already filled in, no key zod would
 * strip, nothing to coerce. Such a value needs no parse at all, so large documents that are
 * saved as they were loaded are validated by one cheap walk instead of zod's copying one.
 *
 * It answers false whenever it is unsure (also for every invalid value), so callers fall back
 * to zod, which stays the one place that fills defaults and words errors. The schema's own
 * checks and refinements run unchanged. Throws for schema features it does not model.
 */
export function compileCanonicalCheck(schema: z.ZodType, options: CanonicalCheckOptions = {}): CanonicalCheck {
  const compiled = new Map<Node, CanonicalCheck>()
  for (const [part, check] of options.replace ?? []) compiled.set(part as unknown as Node, check)
  const scratch: Payload = { value: undefined, issues: [] }

  /** A check as zod runs it, on the value it would have produced (the value itself). */
  function zodCheck(check: CheckNode): CanonicalCheck {
    const when = check._zod.def.when
    return (value) => {
      scratch.value = value
      if (when && !when(scratch)) return true
      check._zod.check(scratch)
      if (scratch.issues.length === 0) return true
      scratch.issues = []
      return false
    }
  }

  /** The common bounds as plain comparisons (same tests as zod's); any other check runs as zod's. */
  function compileCheck(check: CheckNode): CanonicalCheck {
    const def = check._zod.def as CheckNode['_zod']['def'] & Record<string, unknown>
    const slow = zodCheck(check)
    const bound = def.value as number
    switch (def.check) {
      case 'greater_than': return def.inclusive ? (value) => (value as number) >= bound : (value) => (value as number) > bound
      case 'less_than': return def.inclusive ? (value) => (value as number) <= bound : (value) => (value as number) < bound
      // zod counts a string's code points, never more than its UTF-16 units: only the sure
      // cases are decided here.
      case 'max_length': {
        const max = def.maximum as number
        return (value) => (value as { length: number }).length <= max || slow(value)
      }
      case 'min_length': {
        const min = def.minimum as number
        return min <= 1 ? (value) => (value as { length: number }).length >= min : slow
      }
      default: return slow
    }
  }

  function compile(node: Node): CanonicalCheck {
    const known = compiled.get(node)
    if (known) return known
    // Recursive schemas would reach themselves while compiling: route through the table.
    compiled.set(node, (value) => self(value))
    const base = compileType(node)
    const checks = [...(node._zod.traits.has('$ZodCheck') ? [node as unknown as CheckNode] : []), ...(node._zod.def.checks ?? [])]
    for (const check of checks) {
      if (!TESTING_CHECKS.has(check._zod.def.check)) throw new Error(`canonical check: unsupported zod check "${check._zod.def.check}"`)
    }
    const tests = checks.map(compileCheck)
    const [first, ...rest] = tests
    const self: CanonicalCheck = !first ? base : rest.length === 0 ? (value) => base(value) && first(value) : (value) => {
      if (!base(value) || !first(value)) return false
      for (const test of rest) if (!test(value)) return false
      return true
    }
    compiled.set(node, self)
    return self
  }

  function compileType(node: Node): CanonicalCheck {
    const def = node._zod.def
    switch (def.type) {
      case 'string': return (value) => typeof value === 'string'
      // zod's number refuses NaN and ±Infinity.
      case 'number': return (value) => typeof value === 'number' && Number.isFinite(value)
      case 'boolean': return (value) => typeof value === 'boolean'
      case 'literal':
      case 'enum': {
        const values = node._zod.values
        if (!values) throw new Error(`canonical check: ${def.type} without values`)
        return (value) => values.has(value)
      }
      case 'nullable': {
        const inner = compile(def.innerType as Node)
        return (value) => value === null || inner(value)
      }
      // Canonical means present: an absent value is what zod fills in (default, prefault) or
      // leaves out (optional, decided by the object holding it).
      case 'optional':
      case 'default':
      case 'prefault': {
        const inner = compile(def.innerType as Node)
        return (value) => value !== undefined && inner(value)
      }
      case 'array': {
        const element = compile(def.element as Node)
        return (value) => {
          if (!Array.isArray(value)) return false
          for (let i = 0; i < value.length; i++) if (!element(value[i])) return false
          return true
        }
      }
      case 'tuple': return compileTuple(def)
      case 'object': return compileObject(def)
      case 'record': return compileRecord(def)
      case 'union': return compileUnion(node)
      default: throw new Error(`canonical check: unsupported zod type "${def.type}"`)
    }
  }

  function compileTuple(def: Node['_zod']['def']): CanonicalCheck {
    const itemNodes = def.items as Node[]
    if (def.rest) throw new Error('canonical check: tuples with a rest element are unsupported')
    if (itemNodes.some((item) => item._zod.optin !== undefined)) throw new Error('canonical check: tuples with optional items are unsupported')
    const items = itemNodes.map(compile)
    return (value) => {
      if (!Array.isArray(value) || value.length !== items.length) return false
      for (let i = 0; i < items.length; i++) if (!items[i]!(value[i])) return false
      return true
    }
  }

  function compileObject(def: Node['_zod']['def']): CanonicalCheck {
    if (def.catchall) throw new Error('canonical check: objects with a catchall are unsupported')
    const shape = def.shape as Record<string, Node>
    const keys = Object.keys(shape)
    const checks = keys.map((key) => compile(shape[key]!))
    // zod leaves such a key out when it is absent; every other key must be present.
    const mayBeAbsent = keys.map((key) => shape[key]!._zod.optin === 'optional' && shape[key]!._zod.optout === 'optional')
    return (value) => {
      if (!isPlainObject(value)) return false
      let present = 0
      for (let i = 0; i < keys.length; i++) {
        const item = value[keys[i]!]
        if (item === undefined) {
          if (!mayBeAbsent[i]) return false
        } else {
          if (!checks[i]!(item)) return false
          present++
        }
      }
      // A key beyond the shape (zod strips it) or present as undefined (zod keeps it) is not canonical.
      let count = 0
      for (const _ in value) count++
      return count === present
    }
  }

  function compileRecord(def: Node['_zod']['def']): CanonicalCheck {
    const keyType = def.keyType as Node
    if (keyType._zod.values || (def.mode !== undefined && def.mode !== 'strict')) throw new Error('canonical check: only records with open string keys are supported')
    const keyCheck = compile(keyType)
    const valueCheck = compile(def.valueType as Node)
    return (value) => {
      if (!isPlainObject(value)) return false
      let count = 0
      for (const key in value) {
        // zod drops __proto__ rather than copy it.
        if (key === '__proto__' || !keyCheck(key) || !valueCheck(value[key])) return false
        count++
      }
      // Symbol and non-enumerable keys are not copied by zod either.
      return Reflect.ownKeys(value).length === count
    }
  }

  function compileUnion(node: Node): CanonicalCheck {
    const def = node._zod.def
    const options = def.options as Node[]
    const discriminator = def.discriminator as string | undefined
    if (discriminator === undefined) {
      // zod keeps the first option that parses; that is only the value itself when no option
      // could rewrite it, so plain unions are limited to options without defaults.
      for (const option of options) {
        if (!['string', 'number', 'boolean', 'literal', 'enum', 'tuple'].includes(option._zod.def.type)) {
          throw new Error(`canonical check: unions of ${option._zod.def.type} are unsupported`)
        }
      }
      const checks = options.map(compile)
      return (value) => checks.some((check) => check(value))
    }
    if (def.unionFallback) throw new Error('canonical check: discriminated unions with a fallback are unsupported')
    const byTag = new Map<unknown, CanonicalCheck>()
    for (const option of options) {
      const tags = option._zod.propValues?.[discriminator]
      if (!tags) throw new Error(`canonical check: a union option has no "${discriminator}"`)
      const check = compile(option)
      for (const tag of tags) byTag.set(tag, check)
    }
    return (value) => {
      if (!isPlainObject(value)) return false
      const check = byTag.get(value[discriminator])
      return check !== undefined && check(value)
    }
  }

  return compile(schema as unknown as Node)
}
