import type { Database } from '../../db/connect'
import { comboOptions, inputSpecOf, type ObjectInfo, type Workflow } from '../../comfy'
import { parseWorkflow } from '../../../shared/comfy/workflow'
import { AppError } from '../../../shared/errors'
import { manifestSchema, type TemplateManifest, type TemplateParameter } from '../../../shared/comfy/manifest'
import { BUILTIN_TEMPLATE_SOURCES } from './builtin'

export interface Template {
  id: string
  builtin: boolean
  manifest: TemplateManifest
  workflow: Workflow
}

/** A parameter with the choices a server offers for it resolved (checkpoint names, …). */
export type ResolvedParameter = TemplateParameter & { options?: string[] }

/**
 * Checks that a manifest fits its workflow: every target node and input exists, inputs point at
 * nodes, outputs are nodes. Returns the problems as sentences (empty when it fits).
 */
export function manifestProblems(manifest: TemplateManifest, workflow: Workflow): string[] {
  const problems: string[] = []
  const check = (what: string, node: string, input: string) => {
    const target = workflow[node]
    if (!target) problems.push(`${what} points at node #${node}, which is not in the workflow.`)
    else if (!(input in target.inputs)) problems.push(`${what} points at input "${input}" of node #${node} (${target.class_type}), which that node does not have in the workflow.`)
  }
  const names = new Set<string>()
  for (const parameter of manifest.parameters) {
    if (names.has(parameter.name)) problems.push(`The parameter name "${parameter.name}" is used twice.`)
    names.add(parameter.name)
    for (const target of parameter.targets) check(`Parameter "${parameter.name}"`, target.node, target.input)
  }
  for (const input of manifest.inputs) {
    if (names.has(input.name)) problems.push(`The name "${input.name}" is used twice.`)
    names.add(input.name)
    check(`Input "${input.name}"`, input.target.node, input.target.input)
  }
  for (const output of manifest.outputs) {
    if (!workflow[output]) problems.push(`Output node #${output} is not in the workflow.`)
  }
  return problems
}

/** Parses a manifest and workflow pair; throws BAD_REQUEST with every problem named. */
export function parseTemplate(id: string, builtin: boolean, rawManifest: unknown, rawWorkflow: unknown): Template {
  const workflow = parseWorkflow(rawWorkflow)
  if (workflow.error !== undefined) throw new AppError('BAD_REQUEST', workflow.error)
  const manifest = manifestSchema.safeParse(rawManifest)
  if (!manifest.success) {
    const issue = manifest.error.issues[0]
    throw new AppError('BAD_REQUEST', `The manifest is not valid: ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`)
  }
  const problems = manifestProblems(manifest.data, workflow.workflow)
  if (problems.length > 0) throw new AppError('BAD_REQUEST', `The manifest does not fit the workflow. ${problems.slice(0, 5).join(' ')}`, { problems })
  return { id, builtin, manifest: manifest.data, workflow: workflow.workflow }
}

const BUILTIN: Template[] = BUILTIN_TEMPLATE_SOURCES.map((source) => parseTemplate(source.id, true, source.manifest, source.workflow))

export class TemplateRegistry {
  constructor(private readonly db: Database) {}

  builtin(): Template[] {
    return BUILTIN
  }

  async list(ownerId: string): Promise<Template[]> {
    const rows = await this.db.prisma.workflowTemplate.findMany({ where: { ownerId }, orderBy: { createdAt: 'desc' }, take: 500 })
    return [...BUILTIN, ...rows.map((row) => parseTemplate(row.id, false, row.manifest, row.workflow))]
  }

  async get(ownerId: string, id: string): Promise<Template> {
    const builtin = BUILTIN.find((t) => t.id === id)
    if (builtin) return builtin
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.db.prisma.workflowTemplate.findFirst({ where: { id, ownerId } }) : null
    if (!row) throw new AppError('NOT_FOUND', `No workflow template "${id}". Pick one from the list, or upload your workflow.`)
    return parseTemplate(row.id, false, row.manifest, row.workflow)
  }

  async upload(ownerId: string, input: { name: string; workflow: unknown; manifest: unknown }): Promise<Template> {
    const manifest = { ...(input.manifest as object), name: input.name }
    const parsed = parseTemplate('upload', false, manifest, input.workflow)
    const row = await this.db.prisma.workflowTemplate.create({ data: { ownerId, name: input.name, manifest: parsed.manifest as object, workflow: parsed.workflow as object } })
    return { ...parsed, id: row.id }
  }

  /** One of the user's uploaded workflows; shipped templates are not theirs to change. */
  async uploaded(ownerId: string, id: string): Promise<Template> {
    if (BUILTIN.some((t) => t.id === id)) throw new AppError('BAD_REQUEST', `"${id}" is a template shipped with Lattice and cannot be changed. Upload its workflow as your own to map it differently.`)
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.db.prisma.workflowTemplate.findFirst({ where: { id, ownerId } }) : null
    if (!row) throw new AppError('NOT_FOUND', `No uploaded workflow "${id}". It may have been deleted.`)
    return parseTemplate(row.id, false, row.manifest, row.workflow)
  }

  /** A new mapping (and name, or workflow) for an uploaded workflow; checked like an upload. */
  async update(ownerId: string, id: string, input: { name?: string; manifest: unknown; workflow?: unknown }): Promise<Template> {
    const current = await this.uploaded(ownerId, id)
    const name = input.name ?? current.manifest.name
    const parsed = parseTemplate(id, false, { ...(input.manifest as object), name }, input.workflow ?? current.workflow)
    const { count } = await this.db.prisma.workflowTemplate.updateMany({ where: { id, ownerId }, data: { name, manifest: parsed.manifest as object, workflow: parsed.workflow as object } })
    if (count === 0) throw new AppError('NOT_FOUND', `No uploaded workflow "${id}". It may have been deleted.`)
    return parsed
  }

  async remove(ownerId: string, id: string): Promise<void> {
    if (BUILTIN.some((t) => t.id === id)) throw new AppError('BAD_REQUEST', `"${id}" is a template shipped with Lattice and cannot be deleted.`)
    const { count } = await this.db.prisma.workflowTemplate.deleteMany({ where: { id, ownerId } })
    if (count === 0) throw new AppError('NOT_FOUND', `No uploaded workflow "${id}". It may have been deleted.`)
  }
}

/** The template's parameters with the options a server offers for `choicesFrom` inputs. */
export function resolveChoices(template: Template, objectInfo: ObjectInfo | undefined): ResolvedParameter[] {
  return template.manifest.parameters.map((parameter) => {
    if (parameter.type !== 'choice') return parameter
    let options = parameter.choices
    if (parameter.choicesFrom && objectInfo) {
      const info = objectInfo[parameter.choicesFrom.class_type]
      const spec = info ? inputSpecOf(info, parameter.choicesFrom.input) : undefined
      options = (spec ? comboOptions(spec) : undefined) ?? options
    }
    return { ...parameter, options }
  })
}

/** Every node type a workflow needs, for choosing a server that has them. */
export function classTypesOf(workflow: Workflow): string[] {
  return [...new Set(Object.values(workflow).map((node) => node.class_type))]
}
