import { defineEventHandler, getRequestURL, type H3Event } from 'h3'
import { useRuntimeConfig } from 'nitropack/runtime'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { useLattice } from '../../app/instance'
import { authenticate, clientIp, isHttps } from '../../http/authenticate'
import { clearSessionCookie, setSessionCookie } from '../../http/session-cookie'
import { createContextInner, type Context } from '../../trpc/context'
import { appRouter } from '../../trpc/routers'
import { toTRPCError } from '../../trpc/errors'
import { handleWithJsonText } from '../../trpc/json-text'
import { checkBatch, checkJson, checkUrlLength, checkJsonDepth, proceduresOf, readBodyLimited, refusalResponse, RequestRefused } from '../../trpc/request-guard'

async function createContext(event: H3Event): Promise<Context> {
  const { services, config } = await useLattice()
  // Signing in the caller reads the database: an outage answers 503 here rather than a 500.
  const identity = await authenticate(event, services, config.trustProxy).catch((error: unknown) => { throw toTRPCError(error) })
  const secure = config.secureCookies === 'auto' && isHttps(event, config.trustProxy)
  return createContextInner(services, identity.user, {
    ip: clientIp(event, config.trustProxy),
    userAgent: event.headers.get('user-agent') ?? undefined,
    sessionSecret: identity.sessionSecret,
    setSession: (secret, expiresAt) => setSessionCookie(event, secret, expiresAt, secure),
    clearSession: () => clearSessionCookie(event, secure),
  })
}

const endpoint = `${useRuntimeConfig().app.baseURL.replace(/\/$/, '')}/api/trpc`

// Project documents cross as JSON text, neither parsed nor re-serialised here (json-text.ts).
const JSON_TEXT_INPUTS = { 'projects.save': 'document' }

// trpc-nuxt's handler, with the request built (and answered) by handleWithJsonText.
export default defineEventHandler(async (event) => {
  // What a request may cost is checked before tRPC reads it (request-guard.ts).
  const url = getRequestURL(event)
  const procedures = proceduresOf(url)
  let body: string | undefined
  try {
    checkUrlLength(event.node.req.url ?? '')
    checkBatch(procedures)
    const input = url.searchParams.get('input')
    if (input) {
      checkJsonDepth(input)
      checkJson(input, '`?input=`')
    }
    if (event.method === 'POST') {
      body = await readBodyLimited(event, procedures)
      checkJsonDepth(body)
      if (body) checkJson(body, 'body')
    }
  } catch (error) {
    if (error instanceof RequestRefused) return refusalResponse(error, procedures, url.searchParams.get('batch') === '1')
    throw error
  }
  const response = await handleWithJsonText(event, JSON_TEXT_INPUTS, (req) => fetchRequestHandler({
    // Served under the app's base URL when it lives at a sub-path (NUXT_APP_BASE_URL=/lattice/).
    endpoint,
    router: appRouter,
    req,
    createContext: () => createContext(event),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`[trpc] ${path ?? '?'}:`, error.cause ?? error)
    },
  }), body)
  return event.handled ? undefined : response
})
