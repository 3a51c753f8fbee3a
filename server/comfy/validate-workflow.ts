import { missingModelMessage } from './classify'
import { ComfyError } from './errors'
import { comboOptions, inputOptionsOf, inputSpecOf, inputTypeOf, isHiddenInput, outputTypesOf } from './object-info'
import type { ObjectInfo } from './protocol'

export interface WorkflowProblem {
  kind: 'missing_node' | 'missing_model' | 'invalid_workflow'
  nodeId: string
  classType?: string
  input?: string
  message: string
  available?: string[]
}

const MODEL_FILE = /\.(safetensors|ckpt|pt|pth|bin|gguf|onnx|sft)$/i

/**
 * Checks an API-format workflow against a server's `/object_info` before queueing it: every
 * node type exists, every input is declared, links point at existing outputs of a matching
 * type, and constants have the declared type, range and options. Stricter than ComfyUI, which
 * silently drops undeclared inputs (usually a typo) and treats the string "false" as true.
 */
export function findWorkflowProblems(workflow: unknown, objectInfo: ObjectInfo): WorkflowProblem[] {
  if (!workflow || typeof workflow !== 'object' || Array.isArray(workflow)) {
    return [{ kind: 'invalid_workflow', nodeId: '', message: 'The workflow is not an API-format object of nodes. Export it from ComfyUI with "Export (API)".' }]
  }
  const nodes = workflow as Record<string, unknown>
  const problems: WorkflowProblem[] = []
  let outputs = 0
  for (const [nodeId, raw] of Object.entries(nodes)) {
    const node = raw as { class_type?: unknown; inputs?: unknown } | null
    if (!node || typeof node !== 'object' || typeof node.class_type !== 'string') {
      problems.push({ kind: 'invalid_workflow', nodeId, message: `Node #${nodeId} has no class_type, so the workflow is damaged. Export it again in API format.` })
      continue
    }
    const classType = node.class_type
    const info = objectInfo[classType]
    if (!info) {
      problems.push({ kind: 'missing_node', nodeId, classType, message: `Node #${nodeId} uses the node type "${classType}", which this ComfyUI server does not have. Install the custom node that provides it, or remove that node.` })
      continue
    }
    if (info.output_node) outputs++
    const inputs = (node.inputs ?? {}) as Record<string, unknown>
    if (typeof inputs !== 'object' || Array.isArray(inputs)) {
      problems.push({ kind: 'invalid_workflow', nodeId, classType, message: `Node #${nodeId} (${classType}) has no inputs object.` })
      continue
    }
    const at = (input: string, message: string, extra: Partial<WorkflowProblem> = {}): void => {
      problems.push({ kind: 'invalid_workflow', nodeId, classType, input, message: `Node #${nodeId} (${classType}), input "${input}": ${message}`, ...extra })
    }
    for (const name of Object.keys(info.input.required ?? {})) {
      if (!(name in inputs)) at(name, 'required but missing.')
    }
    for (const [name, value] of Object.entries(inputs)) {
      const spec = inputSpecOf(info, name)
      if (!spec) {
        if (isHiddenInput(info, name)) continue
        const declared = [...Object.keys(info.input.required ?? {}), ...Object.keys(info.input.optional ?? {})]
        at(name, `this node has no such input (it has: ${declared.join(', ') || 'none'}).`)
        continue
      }
      const type = inputTypeOf(spec)
      if (Array.isArray(value)) {
        const link = checkLink(value, nodes, objectInfo)
        if ('problem' in link) at(name, link.problem)
        else if (!typesMatch(link.type, type)) at(name, `receives ${link.type} from node #${String(value[0])} but needs ${type}.`)
        continue
      }
      if (value && typeof value === 'object' && '__value__' in value) continue
      const options = comboOptions(spec)
      // Upload combos (LoadImage.image) list the input folder, which changes with every upload, so a
      // cached object_info cannot judge them; ComfyUI checks the file itself (VALIDATE_INPUTS).
      const uploadCombo = inputOptionsOf(spec).image_upload === true || inputOptionsOf(spec).video_upload === true
      if (options && uploadCombo && typeof value === 'string') continue
      if (options) {
        if (options.includes(value as string)) continue
        if (typeof value === 'string' && MODEL_FILE.test(value)) {
          problems.push({ kind: 'missing_model', nodeId, classType, input: name, available: options, message: missingModelMessage(nodeId, classType, name, value, options) })
        } else {
          at(name, `${JSON.stringify(value)} is not one of the allowed values (${options.slice(0, 10).map((o) => JSON.stringify(o)).join(', ')}${options.length > 10 ? ', …' : ''}).`)
        }
        continue
      }
      const wrong = checkConstant(type, value, inputOptionsOf(spec))
      if (wrong) at(name, wrong)
    }
  }
  if (outputs === 0 && problems.length === 0) {
    problems.push({ kind: 'invalid_workflow', nodeId: '', message: 'The workflow has no output node (such as SaveImage), so ComfyUI would run nothing. Add an output node.' })
  }
  return problems
}

/** Throws a ComfyError naming the first problems; a missing model or node type takes precedence. */
export function validateWorkflow(workflow: unknown, objectInfo: ObjectInfo): void {
  const problems = findWorkflowProblems(workflow, objectInfo)
  if (problems.length === 0) return
  const first = problems.find((p) => p.kind === 'missing_model') ?? problems.find((p) => p.kind === 'missing_node')
  if (first) throw new ComfyError(first.kind, first.message, { nodeId: first.nodeId, classType: first.classType, input: first.input, available: first.available, problems })
  const shown = problems.slice(0, 3).map((p) => p.message).join(' ')
  const more = problems.length > 3 ? ` (${problems.length - 3} more problems)` : ''
  throw new ComfyError('invalid_workflow', `The workflow does not fit this ComfyUI server. ${shown}${more}`, { nodeId: problems[0]!.nodeId, problems })
}

/** The output type a link delivers, or a sentence saying why it is broken. */
function checkLink(value: unknown[], nodes: Record<string, unknown>, objectInfo: ObjectInfo): { type: string } | { problem: string } {
  const [source, slot] = value
  if (value.length !== 2 || typeof source !== 'string' || typeof slot !== 'number' || !Number.isInteger(slot)) {
    return { problem: `a link must be ["<node id as a string>", <output index>], got ${JSON.stringify(value)}.` }
  }
  const sourceNode = nodes[source] as { class_type?: string } | undefined
  if (!sourceNode) return { problem: `links to node #${source}, which is not in the workflow.` }
  const sourceInfo = sourceNode.class_type ? objectInfo[sourceNode.class_type] : undefined
  if (!sourceInfo) return { problem: `links to node #${source}, whose type is unknown.` }
  const outputs = outputTypesOf(sourceInfo)
  const type = outputs[slot]
  if (type === undefined) return { problem: `links to output ${slot} of node #${source} (${sourceNode.class_type}), which has ${outputs.length} output${outputs.length === 1 ? '' : 's'}.` }
  return { type }
}

/** ComfyUI's rule: equal, a wildcard, or overlapping comma-separated type lists. */
function typesMatch(received: string, expected: string): boolean {
  if (received === expected || received === '*' || expected === '*') return true
  if (expected === 'COMBO' && received === 'COMBO') return true
  const a = received.split(',').map((t) => t.trim())
  const b = new Set(expected.split(',').map((t) => t.trim()))
  return a.some((t) => b.has(t))
}

function checkConstant(type: string, value: unknown, options: Record<string, unknown>): string | undefined {
  switch (type) {
    case 'INT':
    case 'FLOAT': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `needs a number (${type}), got ${JSON.stringify(value)}.`
      if (type === 'INT' && !Number.isInteger(value)) return `needs a whole number, got ${value}.`
      if (typeof options.min === 'number' && value < options.min) return `${value} is below the minimum ${options.min}.`
      if (typeof options.max === 'number' && value > options.max) return `${value} is above the maximum ${options.max}.`
      return undefined
    }
    case 'STRING':
      return typeof value === 'string' ? undefined : `needs text, got ${JSON.stringify(value)}.`
    case 'BOOLEAN':
      return typeof value === 'boolean' ? undefined : `needs true or false, got ${JSON.stringify(value)} (ComfyUI would treat any non-empty text as true).`
    default:
      // A linkable type (IMAGE, MODEL, …) given a constant: ComfyUI would pass it to the node as is.
      return /^[A-Z_]+$/.test(type) && !['INT', 'FLOAT', 'STRING', 'BOOLEAN'].includes(type) ? `needs a link from a node producing ${type}, got a constant.` : undefined
  }
}
