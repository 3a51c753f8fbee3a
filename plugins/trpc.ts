import { httpLink, httpSubscriptionLink, splitLink } from '@trpc/client'
import { createTRPCNuxtClient, httpBatchLink } from 'trpc-nuxt/client'
import type { AppRouter } from '~~/server/trpc/routers'
import { jsonTextFetch } from '~~/shared/json-text'
import { transformer } from '~~/shared/transformer'

/** `useNuxtApp().$trpc`: the browser's typed client. The session cookie authenticates it. */
export default defineNuxtPlugin(() => {
  const url = `${useRuntimeConfig().app.baseURL.replace(/\/$/, '')}/api/trpc`
  const trpc = createTRPCNuxtClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({ url, transformer }),
        // Saves carry the document as JSON text the editor already has (stores/editor.ts), each
        // in its own request so the text closes the body, as the server reads it (json-text.ts).
        false: splitLink({
          condition: (op) => op.path === 'projects.save',
          true: httpLink({ url, transformer, fetch: jsonTextFetch((input, init) => globalThis.fetch(input, init)) }),
          false: httpBatchLink({ url, transformer }),
        }),
      }),
    ],
  })
  return { provide: { trpc } }
})
