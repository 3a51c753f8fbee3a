import { ComfyError } from './errors'
import { comboOptions, inputSpecOf } from './object-info'
import type { ExecutionErrorData, ObjectInfo, PromptRejected, ValidationError, Workflow } from './protocol'

const MODEL_FILE = /\.(safetensors|ckpt|pt|pth|bin|gguf|onnx|sft)$/i
const MODEL_INPUT = /(ckpt|lora|vae|unet|clip|model|control_net|controlnet|upscale_model|style_model|gligen|ipadapter)_name$/i

/** A 400 from `POST /prompt`, as an error that names the node and says what to change. */
export function classifyRejection(body: PromptRejected, objectInfo?: ObjectInfo, workflow?: Workflow): ComfyError {
  const { error, node_errors: nodeErrors } = body
  const details = { comfyError: error.type, nodeErrors }
  switch (error.type) {
    case 'invalid_prompt':
    case 'missing_node_type': {
      const nodeId = nodeIdFromDetails(error)
      const classType = (nodeId && workflow?.[nodeId]?.class_type) || (error.extra_info?.class_type as string | undefined)
      if (classType) {
        return new ComfyError('missing_node', `Node #${nodeId} uses the node type "${classType}", which this ComfyUI server does not have. Install the custom node that provides it, or remove that node from the workflow.`, { ...details, nodeId, classType })
      }
      return new ComfyError('invalid_workflow', `Node #${nodeId ?? '?'} has no class_type, so the workflow is damaged. Export it again from ComfyUI in API format.`, { ...details, nodeId })
    }
    case 'prompt_no_outputs':
      return new ComfyError('invalid_workflow', 'The workflow has no output node (such as SaveImage), so ComfyUI would run nothing. Add an output node.', details)
    case 'prompt_outputs_failed_validation':
      return fromNodeErrors(nodeErrors, objectInfo, details) ?? new ComfyError('invalid_workflow', `ComfyUI refused the workflow: ${error.message}${error.details ? ` (${error.details})` : ''}.`, details)
    default:
      return fromNodeErrors(nodeErrors, objectInfo, details) ?? new ComfyError('protocol', `ComfyUI refused the request (${error.type}: ${error.message}). This is a Lattice bug; please report it.`, details)
  }
}

/** Turns `node_errors` (also found on a 200 that dropped some outputs) into one actionable error. */
export function fromNodeErrors(nodeErrors: PromptRejected['node_errors'], objectInfo: ObjectInfo | undefined, details: Record<string, unknown> = {}): ComfyError | undefined {
  const problems: string[] = []
  for (const [nodeId, entry] of Object.entries(nodeErrors)) {
    for (const problem of entry.errors) {
      const missing = missingModel(nodeId, entry.class_type, problem, objectInfo)
      if (missing) return new ComfyError('missing_model', missing.message, { ...details, nodeId, classType: entry.class_type, input: missing.input, available: missing.available })
      problems.push(describeProblem(nodeId, entry.class_type, problem))
    }
  }
  if (problems.length === 0) return undefined
  const shown = problems.slice(0, 3).join(' ')
  const more = problems.length > 3 ? ` (${problems.length - 3} more problems)` : ''
  return new ComfyError('invalid_workflow', `ComfyUI refused the workflow. ${shown}${more} Fix these inputs and run it again.`, details)
}

function describeProblem(nodeId: string, classType: string, problem: ValidationError): string {
  const input = problem.extra_info?.input_name
  const where = `Node #${nodeId} (${classType})${typeof input === 'string' ? `, input "${input}"` : ''}`
  const what = problem.details && problem.details !== input ? `${problem.message}: ${problem.details}` : problem.message
  return `${where}: ${what}.`
}

function missingModel(nodeId: string, classType: string, problem: ValidationError, objectInfo?: ObjectInfo) {
  if (problem.type !== 'value_not_in_list') return undefined
  const input = problem.extra_info?.input_name
  const value = problem.extra_info?.received_value
  if (typeof input !== 'string' || typeof value !== 'string') return undefined
  if (!MODEL_FILE.test(value) && !MODEL_INPUT.test(input)) return undefined
  const spec = objectInfo?.[classType] ? inputSpecOf(objectInfo[classType], input) : undefined
  const fromConfig = Array.isArray(problem.extra_info?.input_config) ? (problem.extra_info.input_config as unknown[])[0] : undefined
  const available = (spec ? comboOptions(spec) : undefined) ?? (Array.isArray(fromConfig) ? fromConfig.map(String) : undefined)
  return { input, available: available ?? [], message: missingModelMessage(nodeId, classType, input, value, available) }
}

export function missingModelMessage(nodeId: string, classType: string, input: string, value: string, available: string[] | undefined): string {
  const list = available === undefined
    ? ''
    : available.length === 0
      ? ' The server has no files for this input at all.'
      : ` The server has: ${available.slice(0, 12).join(', ')}${available.length > 12 ? `, and ${available.length - 12} more` : ''}.`
  return `Node #${nodeId} (${classType}) needs the model file "${value}" for "${input}", but the ComfyUI server does not have it.${list} Copy the file into ComfyUI's models folder, or pick one of the available files.`
}

/** An `execution_error` (or its copy in the history) as an error saying what to change. */
export function classifyExecutionError(data: ExecutionErrorData): ComfyError {
  const where = `node #${data.node_id} (${data.node_type})`
  const firstLine = data.exception_message.split('\n').find((line) => line.trim() !== '')?.trim() ?? data.exception_type
  const details = { nodeId: data.node_id, classType: data.node_type, exceptionType: data.exception_type, exceptionMessage: data.exception_message }
  if (/OutOfMemoryError/.test(data.exception_type) || /out of memory|ran out of memory|Allocation on device/i.test(data.exception_message)) {
    return new ComfyError('out_of_memory', `ComfyUI ran out of GPU memory in ${where}. Lower the resolution, batch size or frame count, or free GPU memory (close other GPU programs, or restart ComfyUI), then run it again.`, details)
  }
  const file = /No such file or directory: '([^']+)'/.exec(data.exception_message)?.[1]
  if (/FileNotFoundError/.test(data.exception_type) && file && MODEL_FILE.test(file)) {
    return new ComfyError('missing_model', `ComfyUI could not find the model file "${file}" while running ${where}. Copy it into ComfyUI's models folder and run it again.`, details)
  }
  return new ComfyError('node_failed', `ComfyUI failed in ${where}: ${firstLine}. Check that node's inputs and run it again.`, details)
}

function nodeIdFromDetails(error: ValidationError): string | undefined {
  const fromExtra = error.extra_info?.node_id
  if (typeof fromExtra === 'string') return fromExtra
  return /Node ID '#([^']+)'/.exec(error.details)?.[1]
}
