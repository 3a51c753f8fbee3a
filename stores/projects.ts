import type { ProjectCreateInput, ProjectFile, ProjectImportResult, ProjectListItem } from '~/composables/api'

const PAGE_SIZE = 30

/** The project browser: one page list (active or trash) with search and cursor pagination. */
export const useProjectsStore = defineStore('projects', () => {
  const { $trpc } = useNuxtApp()
  const search = ref('')
  /** Showing the trash instead of the active projects. */
  const trashed = ref(false)
  const list = usePagedList<ProjectListItem>((cursor) => {
    const term = search.value.trim()
    return $trpc.projects.list.query({ search: term || undefined, trashed: trashed.value, limit: PAGE_SIZE, cursor })
  })
  const { items, nextCursor, loading, loadingMore, error, loaded, load, loadMore } = list

  /** Switches between active projects and the trash; rows of the other view never linger. */
  async function showTrash(value: boolean): Promise<void> {
    if (trashed.value === value && loaded.value) return
    trashed.value = value
    list.clear()
    await load()
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
    list.clear()
    search.value = ''
    trashed.value = false
  }

  return { items, nextCursor, search, trashed, loading, loadingMore, error, loaded, load, showTrash, loadMore, create, rename, duplicate, trash, restore, purge, exportFile, importFile, reset }
})
