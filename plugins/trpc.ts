import { httpSubscriptionLink, splitLink } from '@trpc/client'
import superjson from 'superjson'
import { createTRPCNuxtClient, httpBatchLink } from 'trpc-nuxt/client'
import type { AppRouter } from '~~/server/trpc/routers'

/** `useNuxtApp().$trpc`: the browser's typed client. The session cookie authenticates it. */
export default defineNuxtPlugin(() => {
  const url = `${useRuntimeConfig().app.baseURL.replace(/\/$/, '')}/api/trpc`
  const trpc = createTRPCNuxtClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url, transformer: superjson }),
        false: httpBatchLink({ url, transformer: superjson }),
      }),
    ],
  })
  return { provide: { trpc } }
})
