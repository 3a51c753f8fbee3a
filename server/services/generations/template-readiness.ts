import { findWorkflowProblems, type ObjectInfo } from '../../comfy'
import type { Template } from './templates'

/** Whether a template can run on the servers as they are, and if not, what they lack. */
export interface TemplateReadiness {
  runnable: boolean
  /** Node types no server has (custom nodes to install). */
  missingNodes: string[]
  /** Model files the workflow loads that no server has, where the form offers no other choice. */
  missingModels: string[]
  /** One sentence for the picker when it cannot run. */
  reason?: string
}

/**
 * What `template` lacks on one server's object_info. A model file a choice parameter sets does
 * not count: the form offers the server's own files for it.
 */
export function lacksOn(template: Template, objectInfo: ObjectInfo): { missingNodes: string[]; missingModels: string[] } {
  const chosen = new Set(template.manifest.parameters.filter((p) => p.type === 'choice').flatMap((p) => p.targets.map((t) => `${t.node}.${t.input}`)))
  const missingNodes = new Set<string>()
  const missingModels = new Set<string>()
  for (const problem of findWorkflowProblems(template.workflow, objectInfo)) {
    if (problem.kind === 'missing_node' && problem.classType) missingNodes.add(problem.classType)
    if (problem.kind === 'missing_model' && problem.input && !chosen.has(`${problem.nodeId}.${problem.input}`)) {
      const value = template.workflow[problem.nodeId]?.inputs[problem.input]
      if (typeof value === 'string') missingModels.add(value)
    }
  }
  return { missingNodes: [...missingNodes].sort(), missingModels: [...missingModels].sort() }
}

/**
 * Readiness over the servers that answered (their object_info): runnable when one of them has
 * everything, else what the closest one lacks. Undefined when no server answered, as nothing is known.
 */
export function readinessOf(template: Template, servers: ObjectInfo[]): TemplateReadiness | undefined {
  if (servers.length === 0) return undefined
  const lacks = servers.map((info) => lacksOn(template, info))
  const closest = lacks.reduce((best, next) => (size(next) < size(best) ? next : best))
  if (size(closest) === 0) return { runnable: true, missingNodes: [], missingModels: [] }
  const parts = [
    closest.missingNodes.length > 0 ? `node types ${list(closest.missingNodes)} (install the custom nodes that provide them)` : '',
    closest.missingModels.length > 0 ? `model files ${list(closest.missingModels)} (put them in ComfyUI's models folder)` : '',
  ].filter(Boolean)
  const where = servers.length === 1 ? 'The ComfyUI server lacks' : 'No ComfyUI server has all it needs; the closest lacks'
  return { runnable: false, ...closest, reason: `${where} ${parts.join(' and ')}.` }
}

function size(lack: { missingNodes: string[]; missingModels: string[] }): number {
  return lack.missingNodes.length + lack.missingModels.length
}

function list(names: string[]): string {
  const quoted = names.slice(0, 4).map((n) => `"${n}"`)
  return names.length > 4 ? `${quoted.join(', ')} and ${names.length - 4} more` : quoted.join(', ')
}
