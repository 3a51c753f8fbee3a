import type { ChoicesFrom, LiteralInput, ParameterType, WorkflowDraft } from './draft-manifest'
import { manifestSchema, type NodeTarget, type TemplateManifest, type TemplateParameter, type TemplateParameterInput } from './manifest'

/**
 * The mapping table of the workflow upload dialog as plain data: one row per constant input,
 * one per picture input, one per possible output node. Rows that share a name become one
 * parameter feeding every input they stand for.
 */

export interface ParameterRow {
  key: string
  literal: LiteralInput
  expose: boolean
  name: string
  label: string
  description: string
  type: ParameterType
  /** null: none (for a seed, a random one each run). */
  default: string | number | boolean | null
  min: number | null
  max: number | null
  step: number | null
  multiline: boolean
  maxLength: number | null
  /** For a choice: the server's options for the node input, or a fixed list. */
  choicesSource: 'server' | 'list'
  /** The fixed list, comma-separated. */
  choices: string
  choicesFrom: ChoicesFrom | null
  /** Position of its parameter in the manifest it was read from, so saving keeps the form's order. */
  order: number | null
}

export interface PictureRow { key: string; literal: LiteralInput; expose: boolean; name: string; label: string; kind: 'image' | 'video'; required: boolean }
export interface OutputRow { node: string; classType: string; title: string; selected: boolean }
export interface MappingSettings { name: string; description: string; category: TemplateManifest['category']; timeoutSeconds: number }

export interface Mapping {
  settings: MappingSettings
  parameters: ParameterRow[]
  pictures: PictureRow[]
  outputs: OutputRow[]
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

export const rowKey = (target: NodeTarget): string => `${target.node}.${target.input}`

function humanise(input: string): string {
  const words = input.replace(/_/g, ' ').trim()
  return words ? words[0]!.toUpperCase() + words.slice(1) : input
}

/** An unmapped row: the input's own name (with the node id when several nodes have that input). */
export function blankRow(literal: LiteralInput, all: LiteralInput[]): ParameterRow {
  const base = literal.input.replace(/\W/g, '_').replace(/^(?=\d)/, '_')
  const shared = all.filter((other) => other.input === literal.input).length > 1
  return {
    key: rowKey(literal), literal, expose: false,
    name: shared ? `${base}_${literal.node.replace(/\W/g, '_')}` : base,
    label: humanise(literal.input), description: '', type: literal.type,
    default: literal.type === 'seed' ? null : literal.value,
    min: literal.min ?? null, max: literal.max ?? null, step: literal.step ?? null,
    multiline: literal.multiline ?? false, maxLength: null,
    choicesSource: literal.type === 'choice' || literal.choicesFrom ? 'server' : 'list',
    choices: String(literal.value),
    choicesFrom: literal.choicesFrom ?? null,
    order: null,
  }
}

function fill(row: ParameterRow, p: TemplateParameter, order: number): void {
  Object.assign(row, { expose: true, name: p.name, label: p.label ?? p.name, description: p.description ?? '', type: p.type, order })
  switch (p.type) {
    case 'string':
      Object.assign(row, { default: p.default, multiline: p.multiline, maxLength: p.maxLength })
      break
    case 'int':
    case 'float':
      Object.assign(row, { default: p.default, min: p.min ?? null, max: p.max ?? null, step: p.step ?? null })
      break
    case 'seed':
      row.default = p.default ?? null
      break
    case 'boolean':
      row.default = p.default
      break
    case 'choice':
      Object.assign(row, { default: p.default ?? null, choicesSource: p.choices ? 'list' : 'server', choices: p.choices?.join(', ') ?? row.choices, choicesFrom: p.choicesFrom ?? row.choicesFrom })
      break
  }
}

/** The table for a workflow's inputs, filled in from `manifest` (a draft, or the saved mapping). */
export function mappingFor(draft: Pick<WorkflowDraft, 'inputs' | 'nodes'>, manifest: TemplateManifest): Mapping {
  const pictureKeys = new Set(manifest.inputs.map((input) => rowKey(input.target)))
  const pictures: PictureRow[] = draft.inputs
    .filter((literal) => literal.picture || pictureKeys.has(rowKey(literal)))
    .map((literal) => ({ key: rowKey(literal), literal, expose: false, name: literal.picture ?? 'image', label: humanise(literal.picture ?? 'image'), kind: literal.picture ?? 'image', required: true }))
  for (const input of manifest.inputs) {
    const row = pictures.find((each) => each.key === rowKey(input.target))
    if (row) Object.assign(row, { expose: true, name: input.name, label: input.label ?? input.name, kind: input.kind, required: input.required })
  }
  const parameters = draft.inputs.filter((literal) => !pictures.some((p) => p.key === rowKey(literal))).map((literal) => blankRow(literal, draft.inputs))
  for (const [order, parameter] of manifest.parameters.entries()) {
    for (const target of parameter.targets) {
      const row = parameters.find((each) => each.key === rowKey(target))
      if (row) fill(row, parameter, order)
    }
  }
  const outputs = draft.nodes
    .filter((node) => node.output || manifest.outputs.includes(node.id))
    .map((node) => ({ node: node.id, classType: node.classType, title: node.title, selected: manifest.outputs.includes(node.id) }))
  const { name, description, category, timeoutSeconds } = manifest
  return { settings: { name, description, category, timeoutSeconds }, parameters, pictures, outputs }
}

const optional = (n: number | null): number | undefined => (n === null || Number.isNaN(n) ? undefined : n)

function parameterOf(rows: ParameterRow[], name: string, problems: string[]): TemplateParameterInput {
  const row = rows[0]!
  const label = row.label.trim() || name
  const common = { name, label, ...(row.description.trim() ? { description: row.description.trim() } : {}), targets: rows.map((r) => ({ node: r.literal.node, input: r.literal.input })) }
  const bad = (why: string) => problems.push(`${label}: ${why}`)
  switch (row.type) {
    case 'string':
      return { ...common, type: 'string', default: String(row.default ?? ''), multiline: row.multiline, ...(row.maxLength ? { maxLength: row.maxLength } : {}) }
    case 'boolean':
      return { ...common, type: 'boolean', default: row.default === true }
    case 'seed': {
      const seed = row.default
      if (seed !== null && (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)) bad('a fixed seed is a whole number of 0 or more; leave it empty for a random one.')
      return { ...common, type: 'seed', ...(typeof seed === 'number' ? { default: seed } : {}) }
    }
    case 'int':
    case 'float': {
      const value = row.default
      const [min, max, step] = [optional(row.min), optional(row.max), optional(row.step)]
      if (typeof value !== 'number' || !Number.isFinite(value)) bad('enter a default number.')
      else if (row.type === 'int' && !Number.isInteger(value)) bad('the default must be a whole number.')
      else if ((min !== undefined && value < min) || (max !== undefined && value > max)) bad(`the default ${value} is outside ${min ?? '…'} – ${max ?? '…'}.`)
      if (min !== undefined && max !== undefined && min > max) bad('the minimum is above the maximum.')
      return { ...common, type: row.type, default: typeof value === 'number' ? value : 0, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}), ...(step !== undefined ? { step } : {}) }
    }
    case 'choice': {
      const fallback = String(row.default ?? '')
      if (row.choicesSource === 'server') {
        const from = row.choicesFrom ?? { class_type: row.literal.classType, input: row.literal.input }
        return { ...common, type: 'choice', choicesFrom: from, ...(fallback ? { default: fallback } : {}) }
      }
      const choices = [...new Set(row.choices.split(',').map((c) => c.trim()).filter(Boolean))]
      if (choices.length === 0) bad('list at least one choice (separated by commas), or take the server\'s options.')
      else if (fallback && !choices.includes(fallback)) bad(`the default "${fallback}" is not one of the choices.`)
      return { ...common, type: 'choice', choices, default: fallback || choices[0] }
    }
  }
}

/**
 * The manifest the table describes, or the problems to fix first (as sentences naming the row).
 * Exposed rows with the same name become one parameter with several targets.
 */
export function manifestFromMapping(mapping: Mapping): { manifest: TemplateManifest | null; problems: string[] } {
  const problems: string[] = []
  const groups = new Map<string, ParameterRow[]>()
  // Parameters keep the order of the manifest they were read from; new ones follow in node order.
  const exposed = mapping.parameters.filter((r) => r.expose).map((row, index) => ({ row, index }))
  exposed.sort((a, b) => (a.row.order ?? Infinity) - (b.row.order ?? Infinity) || a.index - b.index)
  for (const { row } of exposed) {
    const name = row.name.trim()
    groups.set(name, [...(groups.get(name) ?? []), row])
  }
  const parameters = [...groups].map(([name, rows]) => {
    if (!NAME.test(name)) problems.push(`"${name || rows[0]!.label}" (node #${rows[0]!.literal.node}, ${rows[0]!.literal.input}): a name is letters, digits and _, and does not start with a digit.`)
    const types = [...new Set(rows.map((r) => r.type))]
    if (types.length > 1) problems.push(`Several inputs are named "${name}" with different types (${types.join(', ')}): give them different names, or one type to set them all with one value.`)
    return parameterOf(rows, name, problems)
  })
  const taken = new Set(groups.keys())
  const inputs = mapping.pictures.filter((p) => p.expose).map((p) => {
    const name = p.name.trim()
    if (!NAME.test(name)) problems.push(`Picture "${name || p.label}" (node #${p.literal.node}): a name is letters, digits and _, and does not start with a digit.`)
    if (taken.has(name)) problems.push(`The name "${name}" is used twice; names of parameters and pictures must differ.`)
    taken.add(name)
    return { name, label: p.label.trim() || name, kind: p.kind, required: p.required, target: { node: p.literal.node, input: p.literal.input } }
  })
  const outputs = mapping.outputs.filter((o) => o.selected).map((o) => o.node)
  if (outputs.length === 0) problems.push('Pick at least one output node: its files become assets in Lattice.')
  if (!mapping.settings.name.trim()) problems.push('Give the workflow a name.')
  if (problems.length > 0) return { manifest: null, problems }
  const parsed = manifestSchema.safeParse({ ...mapping.settings, name: mapping.settings.name.trim(), parameters, inputs, outputs })
  if (!parsed.success) return { manifest: null, problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'The manifest'}: ${issue.message}`) }
  return { manifest: parsed.data, problems: [] }
}
