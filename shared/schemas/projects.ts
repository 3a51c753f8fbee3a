import { z } from 'zod'
import { LIMITS } from '../limits'
import { idInput, plainNameSchema } from './common'

export const projectNameSchema = plainNameSchema(LIMITS.maxProjectNameLength).refine((name) => name.length > 0, 'Give the project a name.')

export const projectCreateSchema = z.object({
  name: projectNameSchema,
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  fps: z.number().positive().optional(),
  frameCount: z.number().int().optional(),
})
export type ProjectCreateInput = z.infer<typeof projectCreateSchema>

export const projectListSchema = z.object({
  search: z.string().max(200).optional(),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(LIMITS.maxListPageSize).optional(),
  trashed: z.boolean().optional(),
})
export type ProjectListInput = z.infer<typeof projectListSchema>

export const projectIdSchema = idInput('Project')

/** `document` is checked by the service (it migrates and validates it as a whole). */
export const projectSaveSchema = projectIdSchema.extend({ revision: z.number().int().min(1), document: z.unknown() })
export const projectRenameSchema = projectIdSchema.extend({ name: projectNameSchema })
export const projectDuplicateSchema = projectIdSchema.extend({ name: projectNameSchema.optional() })
/** `file` is the parsed JSON of a `.lattice.json`, a bare document, or an original-Lattice project. */
export const projectImportSchema = z.object({ file: z.unknown(), name: projectNameSchema.optional() })
