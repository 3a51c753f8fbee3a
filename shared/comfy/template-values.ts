import { AppError } from '../errors'
import type { TemplateManifest } from './manifest'
import type { Workflow } from './workflow'

/**
 * A template's values in its workflow: checked against the manifest, defaults filled in, and set
 * on the nodes. Shared, so a generation and an export bundle fill a workflow the same way.
 */

/** A random seed below 2^48: exact as a JSON number, and within every seed widget's range. */
function randomSeed(): number {
  const [high, low] = globalThis.crypto.getRandomValues(new Uint32Array(2))
  return (high! & 0xffff) * 2 ** 32 + low!
}

/**
 * Checks user values against the manifest and fills in defaults (a random seed unless given).
 * Unknown names and out-of-range values are refused with the parameter named.
 */
export function resolveParams(manifest: TemplateManifest, values: Record<string, unknown>): Record<string, string | number | boolean> {
  const known = new Set(manifest.parameters.map((p) => p.name))
  for (const name of Object.keys(values)) {
    if (!known.has(name)) throw new AppError('BAD_REQUEST', `"${name}" is not a parameter of "${manifest.name}" (it has: ${[...known].join(', ') || 'none'}).`)
  }
  const resolved: Record<string, string | number | boolean> = {}
  for (const p of manifest.parameters) {
    const value = values[p.name]
    const label = p.label ?? p.name
    const bad = (why: string): never => { throw new AppError('BAD_REQUEST', `${label}: ${why}`, { parameter: p.name }) }
    switch (p.type) {
      case 'string': {
        const v = value ?? p.default
        if (typeof v !== 'string') bad('needs text.')
        if ((v as string).length > p.maxLength) bad(`at most ${p.maxLength} characters.`)
        resolved[p.name] = v as string
        break
      }
      case 'int':
      case 'float': {
        const v = value ?? p.default
        if (typeof v !== 'number' || !Number.isFinite(v)) bad('needs a number.')
        if (p.type === 'int' && !Number.isInteger(v)) bad('needs a whole number.')
        if (p.min !== undefined && (v as number) < p.min) bad(`at least ${p.min}.`)
        if (p.max !== undefined && (v as number) > p.max) bad(`at most ${p.max}.`)
        resolved[p.name] = v as number
        break
      }
      case 'boolean': {
        const v = value ?? p.default
        if (typeof v !== 'boolean') bad('needs true or false.')
        resolved[p.name] = v as boolean
        break
      }
      case 'seed': {
        const v = value ?? p.default ?? randomSeed()
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad('needs a whole number of 0 or more.')
        resolved[p.name] = v as number
        break
      }
      case 'choice': {
        const v = value ?? p.default ?? p.choices?.[0]
        if (typeof v !== 'string') bad('pick one of the choices.')
        if (p.choices && !p.choices.includes(v as string)) bad(`pick one of ${p.choices.join(', ')}.`)
        resolved[p.name] = v as string
        break
      }
    }
  }
  return resolved
}

/**
 * The workflow with the values set: a structural copy whose node inputs are replaced, never a
 * text substitution. `files` maps template input names to what LoadImage should read.
 */
export function applyValues(workflow: Workflow, manifest: TemplateManifest, params: Record<string, unknown>, files: Record<string, string> = {}): Workflow {
  const copy = structuredClone(workflow)
  // Templates are checked when saved: every target names a node of their workflow.
  for (const p of manifest.parameters) {
    if (!(p.name in params)) continue
    for (const target of p.targets) copy[target.node]!.inputs[target.input] = params[p.name]
  }
  for (const input of manifest.inputs) {
    const file = files[input.name]
    if (file !== undefined) copy[input.target.node]!.inputs[input.target.input] = file
  }
  return copy
}
