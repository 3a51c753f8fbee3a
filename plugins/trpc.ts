import { httpSubscriptionLink, splitLink } from '@trpc/client'
import { createTRPCNuxtClient, httpBatchLink } from 'trpc-nuxt/client'
import type { AppRouter } from '~~/server/trpc/routers'
import { transformer } from '~~/shared/transformer'

/** `useNuxtApp().$trpc`: the browser's typed client. The session cookie authenticates it. */
export default defineNuxtPlugin(() => {
  const url = `${useRuntimeConfig().app.baseURL.replace(/\/$/, '')}/api/trpc`
  const trpc = createTRPCNuxtClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url, transformer }),
        false: httpBatchLink({ url, transformer }),
      }),
    ],
  })
  return { provide: { trpc } }
})
