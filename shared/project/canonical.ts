import { type CanonicalCheck, compileCanonicalCheck } from '../canonical-check'
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
