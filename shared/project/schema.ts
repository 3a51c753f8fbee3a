import { z } from 'zod'
import { type Composition, compositionSchema } from './composition'

/** The document version this code writes; older versions are migrated on read (migrate.ts). */
export const CURRENT_SCHEMA_VERSION = 2

type DocumentShape = { compositions: Record<string, Composition>; mainCompositionId: string }

/** Ids of the compositions that `comp` places as nested-composition layers, with where. */
function nestedReferences(comp: Composition): { compositionId: string; layerIndex: number }[] {
  return comp.layers.flatMap((layer, layerIndex) =>
    layer.kind === 'nestedComposition' ? [{ compositionId: layer.data.compositionId, layerIndex }] : [],
  )
}

/**
 * Document-wide references: the main composition exists, record keys match ids, and nested
 * compositions exist and never contain themselves (directly or through other compositions).
 */
function checkCompositionGraph(doc: DocumentShape, ctx: z.RefinementCtx): void {
  if (!Object.hasOwn(doc.compositions, doc.mainCompositionId)) {
    ctx.addIssue({
      code: 'custom',
      path: ['mainCompositionId'],
      message: `main composition "${doc.mainCompositionId}" is not in compositions`,
    })
  }
  for (const [key, comp] of Object.entries(doc.compositions)) {
    if (comp.id !== key) {
      ctx.addIssue({
        code: 'custom',
        path: ['compositions', key, 'id'],
        message: `composition id "${comp.id}" must equal its key "${key}"`,
      })
    }
    for (const ref of nestedReferences(comp)) {
      const path = ['compositions', key, 'layers', ref.layerIndex, 'data', 'compositionId']
      if (!Object.hasOwn(doc.compositions, ref.compositionId)) {
        ctx.addIssue({ code: 'custom', path, message: `composition "${ref.compositionId}" does not exist` })
      } else if (reaches(doc.compositions, ref.compositionId, key)) {
        const how = ref.compositionId === key ? 'itself' : `itself through "${ref.compositionId}"`
        ctx.addIssue({ code: 'custom', path, message: `composition "${key}" would contain ${how}` })
      }
    }
  }
}

/** Whether `from` is `target` or nests it at any depth. */
function reaches(compositions: Record<string, Composition>, from: string, target: string): boolean {
  const seen = new Set<string>()
  const stack = [from]
  for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
    if (id === target) return true
    const comp = Object.hasOwn(compositions, id) ? compositions[id] : undefined
    if (seen.has(id) || !comp) continue
    seen.add(id)
    for (const ref of nestedReferences(comp)) stack.push(ref.compositionId)
  }
  return false
}

/**
 * A Lattice project document. Assets are not part of it: layers refer to asset rows by id.
 */
export const projectDocumentSchema = z
  .object({
    schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
    compositions: z.record(z.string().min(1), compositionSchema),
    mainCompositionId: z.string().min(1),
  })
  .superRefine(checkCompositionGraph)

export type ProjectDocument = z.infer<typeof projectDocumentSchema>
export type ProjectDocumentInput = z.input<typeof projectDocumentSchema>

export type { AnimatableProperty, Keyframe } from './properties'
export type { BlendMode } from './layer-common'
export type { Layer, LayerInput, LayerKind } from './layers'
export type { Composition, CompositionInput } from './composition'
