import type { AnyRouter } from '@trpc/server'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { EventSource as NodeEventSource } from 'eventsource'
import { defineEventHandler, getRequestHeaders, readRawBody, setResponseHeader, setResponseStatus, type App, type H3Event } from 'h3'
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

let serving: AnyRouter | null = null
let mounted = false

function answer(req: Request): Promise<Response> {
  if (!serving) return Promise.resolve(new Response('No tRPC stand-in is serving: call serveTrpc(router) first.', { status: 503 }))
  return fetchRequestHandler({ endpoint: ENDPOINT, router: serving, req, createContext: () => ({}) as Context })
}

async function toRequest(event: H3Event): Promise<Request> {
  const body = event.method === 'GET' || event.method === 'HEAD' ? undefined : await readRawBody(event)
  // The original URL: the prefix `app.use` matched on is stripped from `event.path`.
  const path = event.node.req.originalUrl ?? event.node.req.url ?? '/'
  return new Request(new URL(path, ORIGIN), { method: event.method, headers: getRequestHeaders(event) as Record<string, string>, body })
}

/**
 * @nuxt/test-utils answers the app's relative requests from an in-process h3 app. Its
 * `registerEndpoint` matches exact paths, but the client batches calls made together into one
 * path (`/api/trpc/a,b`), so the stand-in mounts on that app under the whole endpoint instead.
 */
function mountOnTestServer(): void {
  if (mounted) return
  const app = (window as unknown as { __app?: App }).__app
  if (!app) throw new Error('serveTrpc() needs the nuxt test environment (@nuxt/test-utils), which serves the app\'s requests.')
  app.use(ENDPOINT, defineEventHandler(async (event) => {
    const response = await answer(await toRequest(event))
    setResponseStatus(event, response.status)
    response.headers.forEach((value, name) => setResponseHeader(event, name, value))
    return response.text()
  }))
  mounted = true
}

/**
 * Serves `router` at `/api/trpc` until the returned function is called. Subscriptions need a
 * body that streams, which the test server buffers whole, so `EventSource` is the `eventsource`
 * package (what scripts use in Node) fetching from the router directly.
 */
export function serveTrpc(router: AnyRouter): () => void {
  mountOnTestServer()
  serving = router
  const fetchFromRouter: typeof fetch = (input, init) => answer(new Request(new URL(String(input instanceof Request ? input.url : input), ORIGIN), init))
  class StandInEventSource extends NodeEventSource {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(new URL(String(url), ORIGIN), { ...init, fetch: fetchFromRouter })
    }
  }
  vi.stubGlobal('EventSource', StandInEventSource)
  return () => {
    if (serving === router) serving = null
    vi.unstubAllGlobals()
  }
}
