import type { Ref } from 'vue'

export interface ListPage<T> {
  items: T[]
  nextCursor: string | null
}

/**
 * A list read a page at a time by cursor, for the stores' grids: `load` fetches the first page
 * for the current filters, `loadMore` appends the next without repeating rows, and the answer to
 * a superseded request (the search changed meanwhile, or the list was cleared) is dropped, so a
 * slow old answer never overwrites a newer one.
 */
export function usePagedList<T extends { id: string }>(fetchPage: (cursor?: string) => Promise<ListPage<T>>) {
  const items = ref<T[]>([]) as Ref<T[]>
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const loadingMore = ref(false)
  const loaded = ref(false)
  /** Why the last load failed, for the list's own error state. */
  const error = ref<string | null>(null)
  let epoch = 0

  async function load(): Promise<void> {
    const mine = ++epoch
    loading.value = true
    error.value = null
    try {
      const page = await fetchPage()
      if (mine !== epoch) return
      items.value = page.items
      nextCursor.value = page.nextCursor
      loaded.value = true
    } catch (failure) {
      if (mine === epoch && !reportUnauthorized(failure)) error.value = errorMessage(failure)
    } finally {
      if (mine === epoch) loading.value = false
    }
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value || loadingMore.value) return
    const mine = epoch
    loadingMore.value = true
    try {
      const page = await fetchPage(nextCursor.value)
      if (mine !== epoch) return
      const seen = new Set(items.value.map((item) => item.id))
      items.value = [...items.value, ...page.items.filter((item) => !seen.has(item.id))]
      nextCursor.value = page.nextCursor
    } finally {
      loadingMore.value = false
    }
  }

  /** Empties the list and drops every answer still on its way. */
  function clear(): void {
    epoch++
    items.value = []
    nextCursor.value = null
    loading.value = false
    loaded.value = false
    error.value = null
  }

  return { items, nextCursor, loading, loadingMore, loaded, error, load, loadMore, clear }
}
