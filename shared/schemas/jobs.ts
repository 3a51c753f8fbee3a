import { z } from 'zod'

export const jobIdSchema = z.object({ id: z.uuid('Job ids are UUIDs.') })
export const jobWatchSchema = z.object({ jobId: z.uuid('Job ids are UUIDs.'), lastEventId: z.string().max(40).nullish() })
