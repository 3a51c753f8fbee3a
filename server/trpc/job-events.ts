import { tracked } from '@trpc/server'
import type { JobEventEnvelope } from '../../shared/jobs'

/** The event id a reconnecting subscriber saw last (tRPC passes it back as `lastEventId`); 0 for all. */
export const afterEventId = (lastEventId: string | null | undefined): number => Number(lastEventId ?? 0) || 0

/** Job events as tracked subscription items, so a client that reconnects resumes after the last one. */
export async function* trackedEvents(events: AsyncIterable<JobEventEnvelope>) {
  for await (const envelope of events) yield tracked(String(envelope.id), envelope)
}
