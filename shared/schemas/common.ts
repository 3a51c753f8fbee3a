import { z } from 'zod'
import { LIMITS } from '../limits'

/** `{ id }` for procedures that address one thing; the message names what kind of id was expected. */
export const idInput = (noun: string) => z.object({ id: z.uuid(`${noun} ids are UUIDs.`) })

/** A page of a list: the last item's id from the previous page, and how many to return. */
export const pageSchema = z.object({
  cursor: z.uuid('The cursor is the `nextCursor` of the previous page.').optional(),
  limit: z.number().int().min(1).max(LIMITS.maxListPageSize).optional(),
})

/** A subscription to a job's events; a client that reconnects passes the last event id it saw. */
export const watchInput = (noun: string) => idInput(noun).extend({ lastEventId: z.string().max(40).nullish() })
export type WatchInput = z.infer<ReturnType<typeof watchInput>>

/** The first thing wrong with `value` as the schema's sentence, or null: forms check with the server's schemas. */
export function firstProblem(schema: z.ZodType, value: unknown): string | null {
  const result = schema.safeParse(value)
  return result.success ? null : (result.error.issues[0]?.message ?? 'This value is not valid.')
}
