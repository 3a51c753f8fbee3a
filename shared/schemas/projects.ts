import { z } from 'zod'
import { LIMITS } from '../limits'

export const projectNameSchema = z.string().trim().min(1, 'Give the project a name.').max(LIMITS.maxProjectNameLength)

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
