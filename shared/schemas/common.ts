import { z } from 'zod'
import { LIMITS } from '../limits'

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/
/** A name as people type it: no control characters (NUL, line breaks), which no file system or list shows. */
export const plainNameSchema = (max: number) => z.string().trim().max(max).refine((name) => !CONTROL_CHARACTERS.test(name), 'Names cannot contain control characters (such as NUL or line breaks).')

/** A UUID whose refusal names what kind of id was expected ("Project ids are UUIDs."). */
export const uuidOf = (noun: string) => z.uuid(`${noun} ids are UUIDs.`)
/** `{ id }` for procedures that address one thing. */
export const idInput = (noun: string) => z.object({ id: uuidOf(noun) })
/** The last event a reconnecting subscriber saw (a tRPC tracked id). */
export const lastEventIdSchema = z.string().max(40).nullish()

/** A page of a list: the last item's id from the previous page, and how many to return. */
export const pageSchema = z.object({
  cursor: z.uuid('The cursor is the `nextCursor` of the previous page.').optional(),
  limit: z.number().int().min(1).max(LIMITS.maxListPageSize).optional(),
})

/** A subscription to a job's events; a client that reconnects passes the last event id it saw. */
export const watchInput = (noun: string) => idInput(noun).extend({ lastEventId: lastEventIdSchema })
export type WatchInput = z.infer<ReturnType<typeof watchInput>>

/** The first thing wrong with `value` as the schema's sentence, or null: forms check with the server's schemas. */
export function firstProblem(schema: z.ZodType, value: unknown): string | null {
  const result = schema.safeParse(value)
  return result.success ? null : (result.error.issues[0]?.message ?? 'This value is not valid.')
}
