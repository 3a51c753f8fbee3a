import { draftManifest, type WorkflowDraft } from '../../../shared/comfy/draft-manifest'
import { parseWorkflow } from '../../../shared/comfy/workflow'
import { AppError } from '../../../shared/errors'
import type { ObjectInfo } from '../../comfy'
import { classTypesOf } from './templates'

/** A server's object_info with its name, and a way to fetch it again. */
export interface ObjectInfoSource {
  name: string
  info: ObjectInfo
  refresh(): Promise<ObjectInfo>
}

export interface WorkflowInspection extends WorkflowDraft {
  /** The server whose object_info typed the inputs, or null when none answered. */
  server: string | null
  /** Node types of the workflow that server does not have. */
  missingClasses: string[]
  /** What to know before saving the mapping, as sentences. */
  warnings: string[]
}

/**
 * An uploaded workflow's constant inputs and a draft manifest, typed by a server's object_info
 * when one answered, with the node types that server lacks.
 */
export async function inspectWorkflow(raw: unknown, source: ObjectInfoSource | undefined, name?: string): Promise<WorkflowInspection> {
  const parsed = parseWorkflow(raw)
  if (parsed.error !== undefined) throw new AppError('BAD_REQUEST', parsed.error)
  const workflow = parsed.workflow
  let info = source?.info
  const lacking = (known: ObjectInfo) => classTypesOf(workflow).filter((classType) => !known[classType])
  // Nodes installed since the cached copy count too.
  if (source && info && lacking(info).length > 0) info = await source.refresh().catch(() => info)
  const missingClasses = info ? lacking(info) : []
  const warnings: string[] = []
  if (!source) warnings.push('No ComfyUI server answered, so input types are guessed from their values and model choices are not listed. Check the types, or start a server and choose the file again.')
  if (source && missingClasses.length > 0) {
    const plural = missingClasses.length > 1
    warnings.push(`The ComfyUI server "${source.name}" does not have the node type${plural ? 's' : ''} ${missingClasses.join(', ')}. Install the custom node${plural ? 's' : ''} that provide${plural ? '' : 's'} ${plural ? 'them' : 'it'} there (ComfyUI-Manager finds them by name); until then this workflow cannot run on that server.`)
  }
  return { ...draftManifest(workflow, { name, objectInfo: info }), server: source?.name ?? null, missingClasses, warnings }
}
