/**
 * Every status a job (any long work: asset processing, a ComfyUI generation, a webhook, an export)
 * can be in. Work done here goes queued → running; work placed on a remote server (a generation)
 * goes queued → dispatched (placed) → running (the server started it). `retrying` is local work
 * waiting for its next try; remote work waiting for its next try is `queued` again.
 *
 * Kept free of zod so the typed client's bundle does not carry a schema library for one list.
 */
export const JOB_STATUSES = ['queued', 'dispatched', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'] as const
export type JobStatus = (typeof JOB_STATUSES)[number]
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled']
export const isTerminalJobStatus = (status: string): boolean => (TERMINAL_JOB_STATUSES as readonly string[]).includes(status)
