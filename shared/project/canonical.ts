import { type CanonicalCheck, compileCanonicalCheck } from '../canonical-check'
import { layerSchema } from './layers'
import { type ProjectDocument, projectDocumentSchema } from './schema'

let check: CanonicalCheck | null | undefined

/**
 * True when `raw` is a current-version document exactly as `projectDocumentSchema` would return
 * it (every default present, no extra keys): valid, with nothing for a parse to change. The
 * editor saves documents in this form, so this one walk replaces zod's copying parse; false
 * means "let zod decide", never "invalid".
 */
export function isCanonicalDocument(raw: unknown): raw is ProjectDocument {
  if (check === undefined) {
    try {
      check = compileCanonicalCheck(projectDocumentSchema)
    } catch (error) {
      // A schema feature the checker does not model: zod alone still validates everything.
      console.warn(`[project] documents will be validated by zod alone: ${(error as Error).message}`)
      check = null
    }
  }
  return check !== null && check(raw)
}

/**
 * Canonical-form checks for an editor that keeps a document open: one for a single layer, and
 * one for the document that asks `layerCheck` about each layer (which may remember answers for
 * layers that did not change; see shared/editor/save-cache.ts). Throws where the checker does
 * not model the schema.
 */
export function compileEditorChecks(layerCheck?: CanonicalCheck): { layer: CanonicalCheck; document: CanonicalCheck } {
  const layer = compileCanonicalCheck(layerSchema)
  const document = compileCanonicalCheck(projectDocumentSchema, { replace: new Map([[layerSchema, layerCheck ?? layer]]) })
  return { layer, document }
}
