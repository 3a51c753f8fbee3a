import { z } from 'zod'
import { idInput, lastEventIdSchema, uuidOf } from './common'

export const jobIdSchema = idInput('Job')
export const jobWatchSchema = z.object({ jobId: uuidOf('Job'), lastEventId: lastEventIdSchema })
