import { createHmac } from 'node:crypto'
import type { Database } from '../../db/connect'
import type { JobDefinition } from '../../jobs/types'
import { toGenerationInfo } from './generation.dto'

interface Input { generationId: string; url: string }

export interface WebhookJobOptions {
  /** LATTICE_WEBHOOK_SECRET: the HMAC-SHA256 key; without one the POST is sent unsigned. */
  secret?: string
  retryLimit?: number
  retryDelaySeconds?: number
  timeoutMs?: number
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, checked by the receiver with the same secret. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

/**
 * Tells a URL that a generation finished: a JSON POST signed with the shared secret, retried with
 * back-off by the job system until the receiver answers 2xx.
 */
export function comfyWebhookJob(db: Database, options: WebhookJobOptions = {}): JobDefinition<Input> {
  return {
    kind: 'comfy.webhook',
    retryLimit: options.retryLimit ?? 6,
    retryDelaySeconds: options.retryDelaySeconds ?? 10,
    expireInSeconds: 120,
    concurrency: 4,
    async run({ input, attempt }) {
      const row = await db.prisma.generation.findUnique({ where: { id: input.generationId }, include: { job: true } })
      if (!row) return { skipped: 'deleted' }
      const generation = toGenerationInfo(row)
      const body = JSON.stringify({ event: `generation.${generation.status}`, attempt, generation })
      const timestamp = Math.floor(Date.now() / 1000)
      const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Lattice-Webhook', 'x-lattice-event': `generation.${generation.status}`, 'x-lattice-delivery': `${row.id}:${generation.status}` }
      if (options.secret) headers['x-lattice-signature'] = signWebhook(options.secret, timestamp, body)
      let response: Response
      try {
        response = await fetch(input.url, { method: 'POST', body, headers, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) })
      } catch (error) {
        throw new Error(`The webhook ${originOf(input.url)} could not be reached (${(error as Error).message}); it will be retried.`)
      }
      await response.arrayBuffer().catch(() => undefined)
      if (!response.ok) throw new Error(`The webhook ${originOf(input.url)} answered HTTP ${response.status}; it will be retried.`)
      return { status: response.status }
    },
  }
}

function originOf(url: string): string {
  try { return new URL(url).origin } catch { return url }
}
