import type { ProjectDetail } from '~/composables/api'

/**
 * The project picked as a picture source on the Generate panel, read fresh whenever the pick
 * changes (it may have been edited since); answers for an earlier pick are dropped.
 */
export function useProjectSource(projectId: Ref<string | undefined>) {
  const { $trpc } = useNuxtApp()
  const project = ref<ProjectDetail | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  let request = 0

  watch(projectId, async (id) => {
    const mine = ++request
    project.value = null
    error.value = null
    if (!id) return
    loading.value = true
    try {
      const detail = await $trpc.projects.get.query({ id })
      if (mine === request) project.value = detail
    } catch (failure) {
      if (mine === request && !reportUnauthorized(failure)) error.value = errorMessage(failure)
    } finally {
      if (mine === request) loading.value = false
    }
  }, { immediate: true })

  return { project, loading, error }
}
