import type { ApiToken, CreatedToken } from '~/composables/api'

/** The signed-in user's API tokens for scripts. Secrets exist only in `create`'s answer. */
export const useTokensStore = defineStore('tokens', () => {
  const { $trpc } = useNuxtApp()
  const items = ref<ApiToken[]>([])
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<string | null>(null)

  const active = computed(() => items.value.filter((token) => !token.revokedAt))

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      items.value = await $trpc.tokens.list.query()
      loaded.value = true
    } catch (failure) {
      if (!reportUnauthorized(failure)) error.value = errorMessage(failure)
    } finally {
      loading.value = false
    }
  }

  /** Returns the secret with the token's info; the secret is never retrievable again. */
  async function create(name: string): Promise<CreatedToken> {
    const created = await $trpc.tokens.create.mutate({ name })
    items.value = [created.info, ...items.value.filter((token) => token.id !== created.info.id)]
    return created
  }

  async function revoke(id: string): Promise<void> {
    await $trpc.tokens.revoke.mutate({ id })
    await load()
  }

  function reset(): void {
    items.value = []
    loaded.value = false
    error.value = null
  }

  return { items, active, loading, loaded, error, load, create, revoke, reset }
})
