import type { NodeDef, NodeEnv } from './nodes'

/** ComfyUI's validate_prompt (execution.py, 0.3.64), including its error texts and quirks. */

type Err = { type: string; message: string; details: string; extra_info: Record<string, unknown> | null }
type Result = [boolean, Err[], string]
type Prompt = Record<string, Record<string, unknown>>

/** A Python exception as the server would stringify it. */
class PyError extends Error {
  constructor(readonly pyType: string, message: string) { super(message) }
}

export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`
  if (value === null || value === undefined) return 'None'
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  return String(value)
}

function pyFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value)
}

export type Validation =
  | { ok: true; outputs: string[]; nodeErrors: Record<string, unknown> }
  | { ok: false; error: Err; nodeErrors: Record<string, unknown> }

export function validatePrompt(prompt: Prompt, nodes: Record<string, NodeDef>, env: NodeEnv, partial?: string[]): Validation {
  const outputs: string[] = []
  for (const [id, node] of Object.entries(prompt)) {
    if (!('class_type' in node)) {
      return { ok: false, error: { type: 'invalid_prompt', message: 'Cannot execute because a node is missing the class_type property.', details: `Node ID '#${id}'`, extra_info: {} }, nodeErrors: {} }
    }
    const def = nodes[String(node.class_type)]
    if (!def) {
      return { ok: false, error: { type: 'invalid_prompt', message: `Cannot execute because node ${String(node.class_type)} does not exist.`, details: `Node ID '#${id}'`, extra_info: {} }, nodeErrors: {} }
    }
    if (def.outputNode && (!partial || partial.includes(id))) outputs.push(id)
  }
  if (outputs.length === 0) return { ok: false, error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} }, nodeErrors: {} }

  const validated: Record<string, Result> = {}
  const good: string[] = []
  const errors: Array<[string, Err[]]> = []
  const nodeErrors: Record<string, { errors: Err[]; dependent_outputs: string[]; class_type: string }> = {}
  for (const o of outputs) {
    let valid: boolean
    let reasons: Err[]
    try {
      ;[valid, reasons] = validateInputs(prompt, o, validated, nodes, env)
    } catch (error) {
      const ex = error as PyError
      valid = false
      reasons = [{ type: 'exception_during_validation', message: 'Exception when validating node', details: ex.message, extra_info: { exception_type: ex.pyType, traceback: ['  File "execution.py", line 1, in validate_inputs\n'] } }]
      validated[o] = [false, reasons, o]
    }
    if (valid) {
      good.push(o)
      continue
    }
    errors.push([o, reasons])
    for (const [nodeId, [ok, nodeReasons]] of Object.entries(validated)) {
      if (ok || nodeReasons.length === 0) continue
      nodeErrors[nodeId] ??= { errors: nodeReasons, dependent_outputs: [], class_type: String(prompt[nodeId]!.class_type) }
      nodeErrors[nodeId].dependent_outputs.push(o)
    }
  }
  if (good.length === 0) {
    const details = errors.flatMap(([, list]) => list.map((e) => `${e.message}: ${e.details}`)).join('\n')
    return { ok: false, error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details, extra_info: {} }, nodeErrors }
  }
  return { ok: true, outputs: good, nodeErrors }
}

function validateInputs(prompt: Prompt, id: string, validated: Record<string, Result>, nodes: Record<string, NodeDef>, env: NodeEnv): Result {
  if (validated[id]) return validated[id]
  const node = prompt[id]!
  if (!('inputs' in node)) throw new PyError('KeyError', "'inputs'")
  const inputs = node.inputs as Record<string, unknown>
  const def = nodes[String(node.class_type)]!
  const info = def.info(env) as { input: { required?: Record<string, [unknown, Record<string, unknown>?]>; optional?: Record<string, [unknown, Record<string, unknown>?]> } }
  const errors: Err[] = []
  let valid = true
  const declared = { ...info.input.required, ...info.input.optional }
  for (const [x, spec] of Object.entries(declared)) {
    const [inputType, extra = {}] = spec
    if (!(x in inputs)) {
      if (info.input.required && x in info.input.required) errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: x, extra_info: { input_name: x } })
      continue
    }
    let val = inputs[x]
    const config = [inputType, extra]
    if (Array.isArray(val)) {
      if (val.length !== 2) {
        errors.push({ type: 'bad_linked_input', message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]', details: x, extra_info: { input_name: x, input_config: config, received_value: val } })
        continue
      }
      const [oId, slot] = val as [unknown, unknown]
      if (typeof oId !== 'string' || !(oId in prompt)) throw new PyError('KeyError', pyRepr(oId))
      const source = nodes[String(prompt[oId]!.class_type)]!
      const received = source.returnTypes[Number(slot)]
      if (received === undefined || typeof slot !== 'number') throw new PyError('IndexError', 'tuple index out of range')
      if (!typesMatch(received, inputType)) {
        errors.push({ type: 'return_type_mismatch', message: 'Return type mismatch between linked nodes', details: `${x}, received_type(${received}) mismatch input_type(${String(inputType)})`, extra_info: { input_name: x, input_config: config, received_type: received, linked_node: val } })
        continue
      }
      try {
        const r = validateInputs(prompt, oId, validated, nodes, env)
        if (!r[0]) valid = false
      } catch (error) {
        const ex = error as PyError
        valid = false
        validated[oId] = [false, [{ type: 'exception_during_inner_validation', message: 'Exception when validating inner node', details: ex.message, extra_info: { input_name: x, input_config: config, exception_message: ex.message, exception_type: ex.pyType, traceback: [], linked_node: val } }], oId]
      }
      continue
    }
    if (val && typeof val === 'object' && '__value__' in val) val = inputs[x] = (val as { __value__: unknown }).__value__
    const converted = convert(inputType, val)
    if ('error' in converted) {
      errors.push({ type: 'invalid_input_type', message: `Failed to convert an input value to a ${String(inputType)} value`, details: `${x}, ${String(val)}, ${converted.error}`, extra_info: { input_name: x, input_config: config, received_value: val, exception_message: converted.error } })
      continue
    }
    val = inputs[x] = converted.value
    if (def.validatedInputs?.includes(x)) continue
    const show = (v: number) => (inputType === 'FLOAT' ? pyFloat(v) : String(v))
    if (typeof extra.min === 'number' && (val as number) < extra.min) {
      errors.push({ type: 'value_smaller_than_min', message: `Value ${show(val as number)} smaller than min of ${show(extra.min)}`, details: x, extra_info: { input_name: x, input_config: config, received_value: val } })
      continue
    }
    if (typeof extra.max === 'number' && (val as number) > extra.max) {
      errors.push({ type: 'value_bigger_than_max', message: `Value ${show(val as number)} bigger than max of ${show(extra.max)}`, details: x, extra_info: { input_name: x, input_config: config, received_value: val } })
      continue
    }
    // v1 nodes list a combo's options as the type; v3 nodes send "COMBO" with {options}.
    const options = Array.isArray(inputType) ? inputType : inputType === 'COMBO' && Array.isArray(extra.options) ? (extra.options as unknown[]) : undefined
    if (options && !options.includes(val)) {
      const big = options.length > 20
      errors.push({ type: 'value_not_in_list', message: 'Value not in list', details: `${x}: ${pyRepr(val)} not in ${big ? `(list of length ${options.length})` : pyRepr(options)}`, extra_info: { input_name: x, input_config: big ? null : config, received_value: val } })
      continue
    }
  }
  if (def.validate) {
    const verdict = def.validate(inputs, env)
    if (verdict !== true) {
      for (const x of def.validatedInputs ?? []) errors.push({ type: 'custom_validation_failed', message: 'Custom validation failed for node', details: `${x} - ${verdict}`, extra_info: { input_name: x } })
    }
  }
  const result: Result = [valid && errors.length === 0, errors, id]
  validated[id] = result
  return result
}

function typesMatch(received: string, expected: unknown): boolean {
  if (typeof expected !== 'string') return received === 'COMBO' || received === '*'
  if (received === '*' || expected === '*' || received === expected) return true
  const a = received.split(',')
  const b = expected.split(',')
  return a.some((t) => b.includes(t))
}

function convert(type: unknown, value: unknown): { value: unknown } | { error: string } {
  switch (type) {
    case 'INT': {
      const n = typeof value === 'number' ? Math.trunc(value) : typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) ? Number.parseInt(value, 10) : Number.NaN
      return Number.isNaN(n) ? { error: `invalid literal for int() with base 10: ${pyRepr(value)}` } : { value: n }
    }
    case 'FLOAT': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN
      return Number.isNaN(n) ? { error: `could not convert string to float: ${pyRepr(value)}` } : { value: n }
    }
    case 'STRING': return { value: typeof value === 'string' ? value : pyRepr(value) }
    case 'BOOLEAN': return { value: Array.isArray(value) ? value.length > 0 : Boolean(value) }
    default: return { value }
  }
}
