import type { SessionUser } from '~/composables/api'

/** Who is signed in. `auth.me` is asked once per page load; sign-in and sign-out update it. */
export const useSessionStore = defineStore('session', () => {
  const { $trpc } = useNuxtApp()
  const router = useRouter()
  const user = ref<SessionUser | null>(null)
  /** Whether `auth.me` has answered since the app loaded. */
  const checked = ref(false)
  let pending: Promise<SessionUser | null> | null = null

  const isAdmin = computed(() => user.value?.role === 'admin')

  /** Asks the server who the cookie belongs to. Concurrent callers share one request. */
  function refresh(): Promise<SessionUser | null> {
    pending ??= $trpc.auth.me.query()
      .then((me) => {
        user.value = me
        checked.value = true
        return me
      })
      .finally(() => { pending = null })
    return pending
  }

  /** The cached answer, asking only the first time. */
  async function ensure(): Promise<SessionUser | null> {
    return checked.value ? user.value : refresh()
  }

  async function signIn(email: string, password: string): Promise<SessionUser> {
    const me = await $trpc.auth.signIn.mutate({ email, password })
    user.value = me
    checked.value = true
    return me
  }

  /** Ends the session on the server and forgets everything the previous user loaded. */
  async function signOut(): Promise<void> {
    try {
      await $trpc.auth.signOut.mutate()
    } finally {
      forget()
    }
  }

  /** Local sign-out: after sign-out, or when the server says the session has ended. */
  function forget(): void {
    user.value = null
    checked.value = true
    useProjectsStore().reset()
    useAssetsStore().reset()
    useGenerationsStore().reset()
    useTokensStore().reset()
    useUsersStore().reset()
    useComfyServersStore().reset()
    useAiStore().reset()
    useJobsStore().reset()
  }

  /** The server no longer knows the session (expired, password changed elsewhere): sign in again. */
  function expired(): void {
    if (!user.value) return
    const here = router.currentRoute.value
    forget()
    if (here.path !== '/login') void router.push({ path: '/login', query: { redirect: here.fullPath } })
  }

  return { user, checked, isAdmin, refresh, ensure, signIn, signOut, forget, expired }
})
