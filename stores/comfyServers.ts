import type { ComfyServer, ComfyServerChanges, ComfyServerInput, ComfyServerList } from '~/composables/api'

/** ComfyUI servers with their health, and why the generation queue is paused if it is. Changes are admin-only. */
export const useComfyServersStore = defineStore('comfyServers', () => {
  const { $trpc } = useNuxtApp()
  const items = ref<ComfyServer[]>([])
  const paused = ref<ComfyServerList['paused']>(null)
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<string | null>(null)

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const list = await $trpc.comfy.servers.list.query()
      items.value = list.servers
      paused.value = list.paused
      loaded.value = true
    } catch (failure) {
      if (!reportUnauthorized(failure)) error.value = errorMessage(failure)
    } finally {
      loading.value = false
    }
  }

  async function add(input: ComfyServerInput): Promise<void> {
    await $trpc.comfy.servers.add.mutate(input)
    await load()
  }

  async function update(changes: ComfyServerChanges): Promise<void> {
    await $trpc.comfy.servers.update.mutate(changes)
    await load()
  }

  async function remove(id: string): Promise<void> {
    await $trpc.comfy.servers.remove.mutate({ id })
    await load()
  }

  /** Reads the server's health now; the answer also refreshes the list. */
  async function test(id: string) {
    const health = await $trpc.comfy.servers.test.mutate({ id })
    await load()
    return health
  }

  async function resume(): Promise<void> {
    await $trpc.comfy.servers.resume.mutate()
    await load()
  }

  function reset(): void {
    items.value = []
    paused.value = null
    loaded.value = false
    error.value = null
  }

  return { items, paused, loading, loaded, error, load, add, update, remove, test, resume, reset }
})
