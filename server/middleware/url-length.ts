import { createError, defineEventHandler } from 'h3'
import { REQUEST_LIMITS } from '../trpc/request-guard'

/**
 * One answer for an overlong URL on every route: 414 with a sentence. (tRPC routes answer it in
 * tRPC's error shape themselves; URLs past the server's header limit get 431 from the server entry.)
 */
export default defineEventHandler((event) => {
  const url = event.node.req.url ?? ''
  if (url.length <= REQUEST_LIMITS.maxUrlBytes || event.path.includes('/api/trpc/')) return
  throw createError({
    statusCode: 414,
    statusMessage: 'URI Too Long',
    message: `The URL is over ${REQUEST_LIMITS.maxUrlBytes / 1024} KB, more than any Lattice page or file needs. Check the link.`,
    data: { code: 'URI_TOO_LONG' },
  })
})
