import { z } from 'zod'
import { pageSchema, plainNameSchema } from './common'

export const assetKindSchema = z.enum(['image', 'video', 'audio', 'file'])

export const assetListSchema = pageSchema.extend({
  kind: assetKindSchema.optional(),
  search: z.string().max(200).optional(),
})
export type AssetListInput = z.infer<typeof assetListSchema>

export const assetNameSchema = plainNameSchema(255).refine((name) => name.length > 0, 'Give the asset a name.')
