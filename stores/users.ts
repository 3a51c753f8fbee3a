import type { UserCreateInput, UserRow } from '~/composables/api'

/** The people who can sign in; only admins may list and add them. */
export const useUsersStore = defineStore('users', () => {
  const { $trpc } = useNuxtApp()
  const items = ref<UserRow[]>([])
  const loading = ref(false)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      items.value = await $trpc.users.list.query()
    } catch (failure) {
      if (!reportUnauthorized(failure)) error.value = errorMessage(failure)
    } finally {
      loading.value = false
    }
  }

  async function create(input: UserCreateInput) {
    const user = await $trpc.users.create.mutate(input)
    await load()
    return user
  }

  function reset(): void {
    items.value = []
    error.value = null
  }

  return { items, loading, error, load, create, reset }
})
