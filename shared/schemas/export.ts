import { z } from 'zod'
import { exportSettingsSchema } from '../export/options'
import { idInput, pageSchema, uuidOf } from './common'

export const exportIdSchema = idInput('Export')

/**
 * An export of a composition at the project's current revision, or of `document` (the editor's
 * unsaved one, checked by the service as a whole).
 */
export const exportCreateSchema = exportSettingsSchema.extend({
  projectId: uuidOf('Project'),
  /** The saved revision to render; it must be the project's current one. */
  revision: z.number().int().min(1).optional(),
  document: z.unknown().optional(),
})
export type ExportCreateInput = z.input<typeof exportCreateSchema>

export const exportListSchema = pageSchema.extend({ projectId: uuidOf('Project').optional() })
export type ExportListInput = z.infer<typeof exportListSchema>
