import type { ProjectCreateInput, ProjectFile, ProjectImportResult, ProjectListItem } from '~/composables/api'

const PAGE_SIZE = 30

/** The project browser: one page list (active or trash) with search and cursor pagination. */
export const useProjectsStore = defineStore('projects', () => {
  const { $trpc } = useNuxtApp()
  const items = ref<ProjectListItem[]>([])
  const nextCursor = ref<string | null>(null)
  const search = ref('')
  /** Showing the trash instead of the active projects. */
  const trashed = ref(false)
  const loading = ref(false)
  const loadingMore = ref(false)
  /** Why the last list request failed, for the list's own error state. */
  const error = ref<string | null>(null)
  const loaded = ref(false)
  // Answers of superseded list requests (the search changed meanwhile) are dropped.
  let generation = 0

  function filters() {
    const term = search.value.trim()
    return { search: term || undefined, trashed: trashed.value, limit: PAGE_SIZE }
  }

  /** Loads the first page for the current search and view. */
  async function load(): Promise<void> {
    const mine = ++generation
    loading.value = true
    error.value = null
    try {
      const page = await $trpc.projects.list.query(filters())
      if (mine !== generation) return
      items.value = page.items
      nextCursor.value = page.nextCursor
      loaded.value = true
    } catch (failure) {
      if (mine === generation && !reportUnauthorized(failure)) error.value = errorMessage(failure)
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  /** Switches between active projects and the trash; rows of the other view never linger. */
  async function showTrash(value: boolean): Promise<void> {
    if (trashed.value === value && loaded.value) return
    trashed.value = value
    items.value = []
    nextCursor.value = null
    loaded.value = false
    await load()
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value || loadingMore.value) return
    const mine = generation
    loadingMore.value = true
    try {
      const page = await $trpc.projects.list.query({ ...filters(), cursor: nextCursor.value })
      if (mine !== generation) return
      const seen = new Set(items.value.map((item) => item.id))
      items.value = [...items.value, ...page.items.filter((item) => !seen.has(item.id))]
      nextCursor.value = page.nextCursor
    } finally {
      loadingMore.value = false
    }
  }

  async function create(input: ProjectCreateInput) {
    const created = await $trpc.projects.create.mutate(input)
    if (!trashed.value) await load()
    return created
  }

  async function rename(id: string, name: string): Promise<void> {
    const renamed = await $trpc.projects.rename.mutate({ id, name })
    const item = items.value.find((each) => each.id === id)
    if (item) item.name = renamed.name
  }

  async function duplicate(id: string) {
    const copy = await $trpc.projects.duplicate.mutate({ id })
    await load()
    return copy
  }

  function drop(id: string): void {
    items.value = items.value.filter((item) => item.id !== id)
  }

  /** Moves to the trash (restorable). */
  async function trash(id: string): Promise<void> {
    await $trpc.projects.delete.mutate({ id })
    drop(id)
  }

  async function restore(id: string): Promise<void> {
    await $trpc.projects.restore.mutate({ id })
    drop(id)
  }

  /** Deletes a trashed project for good. */
  async function purge(id: string): Promise<void> {
    await $trpc.projects.purge.mutate({ id })
    drop(id)
  }

  function exportFile(id: string): Promise<ProjectFile> {
    return $trpc.projects.export.query({ id })
  }

  async function importFile(file: unknown, name?: string): Promise<ProjectImportResult> {
    const result = await $trpc.projects.import.mutate({ file, name })
    if (!trashed.value) await load()
    return result
  }

  function reset(): void {
    generation++
    items.value = []
    nextCursor.value = null
    search.value = ''
    trashed.value = false
    loading.value = false
    loaded.value = false
    error.value = null
  }

  return { items, nextCursor, search, trashed, loading, loadingMore, error, loaded, load, showTrash, loadMore, create, rename, duplicate, trash, restore, purge, exportFile, importFile, reset }
})
