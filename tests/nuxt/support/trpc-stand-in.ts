import { registerEndpoint } from '@nuxt/test-utils/runtime'
import type { AnyRouter } from '@trpc/server'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { EventSource as NodeEventSource } from 'eventsource'
import { getRequestHeaders, getRequestURL, readRawBody, setResponseHeader, setResponseStatus, type H3Event } from 'h3'
import { vi } from 'vitest'
import type { Context } from '~~/server/trpc/context'

/**
 * The network boundary of the stores under test. They talk to the app's real `$trpc` client
 * (its links, the JSON-text saves, the Date transformer, SSE subscriptions); what answers at
 * `/api/trpc` is a router a test writes with the server's own procedure builder
 * (`server/trpc/init.ts`), so errors reach the client with the code, message and `data` the real
 * server gives them. Only the services behind the procedures are stand-ins: the tRPC HTTP
 * endpoint is the narrowest point where a test can say what the server knows (a newer revision,
 * a job's events) without a database, a queue and a ComfyUI server.
 */
const ENDPOINT = '/api/trpc'
const ORIGIN = 'http://localhost:3000'

function answer(router: AnyRouter, req: Request): Promise<Response> {
  return fetchRequestHandler({ endpoint: ENDPOINT, router, req, createContext: () => ({}) as Context })
}

async function toRequest(event: H3Event): Promise<Request> {
  const body = event.method === 'GET' || event.method === 'HEAD' ? undefined : await readRawBody(event)
  const url = getRequestURL(event)
  // Registered endpoints are served under a `/_` prefix.
  return new Request(new URL(url.pathname.replace(/^\/_/, '') + url.search, ORIGIN), {
    method: event.method,
    headers: getRequestHeaders(event) as Record<string, string>,
    body,
  })
}

/**
 * Serves `router` at `/api/trpc` until the returned function is called. Queries and mutations
 * go through @nuxt/test-utils' `registerEndpoint`, one path per procedure (so calls the client
 * batches together are not answered: tests make them one at a time). Subscriptions need a body
 * that streams, which registered endpoints buffer whole, so `EventSource` is the `eventsource`
 * package (what the typed client uses in Node) fetching from the router directly.
 */
export function serveTrpc(router: AnyRouter): () => void {
  const paths = Object.keys(router._def.procedures as Record<string, unknown>)
  const unregister = paths.map((path) => registerEndpoint(`${ENDPOINT}/${path}`, async (event: H3Event) => {
    const response = await answer(router, await toRequest(event))
    setResponseStatus(event, response.status)
    response.headers.forEach((value, name) => setResponseHeader(event, name, value))
    return response.text()
  }))
  const fetchFromRouter: typeof fetch = (input, init) => answer(router, new Request(new URL(String(input instanceof Request ? input.url : input), ORIGIN), init))
  class StandInEventSource extends NodeEventSource {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(new URL(String(url), ORIGIN), { ...init, fetch: fetchFromRouter })
    }
  }
  vi.stubGlobal('EventSource', StandInEventSource)
  return () => {
    for (const each of unregister) each()
    vi.unstubAllGlobals()
  }
}
