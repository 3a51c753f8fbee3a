import { isTerminalJobStatus } from '~~/shared/jobs'
import type { JobProgress } from '~~/shared/job-progress'
import type { ExportCreateInput, ExportInfo, ExportPreset } from '~/composables/api'

/**
 * The render queue of the open project: its exports, newest first, with live frame progress
 * from the jobs store while they run.
 */
export const useExportsStore = defineStore('exports', () => {
  const { $trpc } = useNuxtApp()
  const jobs = useJobsStore()
  const projectId = ref<string | null>(null)
  const items = ref<ExportInfo[]>([])
  const presets = ref<ExportPreset[]>([])
  const loading = ref(false)
  const panelOpen = ref(false)

  /** Keyed by export id: what the export's job says while it runs. */
  const live = computed<Record<string, JobProgress>>(() => Object.fromEntries(
    items.value.flatMap((item) => {
      const progress = jobs.live[item.job.id]
      return progress ? [[item.id, progress]] : []
    }),
  ))
  const running = computed(() => items.value.filter((item) => !isTerminalJobStatus(live.value[item.id]?.status ?? item.job.status)).length)

  async function loadPresets(): Promise<void> {
    if (presets.value.length === 0) presets.value = await $trpc.export.presets.query()
  }

  async function load(id: string): Promise<void> {
    if (projectId.value !== id) items.value = []
    projectId.value = id
    loading.value = true
    try {
      const { items: listed } = await $trpc.export.list.query({ projectId: id, limit: 50 })
      if (projectId.value !== id) return
      items.value = listed
      for (const item of listed) if (!isTerminalJobStatus(item.job.status)) follow(item)
    } finally {
      loading.value = false
    }
  }

  /** Follows an export's job; when it ends, its row is read again for its files. */
  function follow(item: ExportInfo): void {
    jobs.follow(item.job.id, { status: item.job.status, onEnd: () => { void refresh(item.id) } })
  }

  async function refresh(id: string): Promise<void> {
    const fresh = await $trpc.export.get.query({ id }).catch(() => null)
    const index = items.value.findIndex((item) => item.id === id)
    if (fresh && index >= 0) items.value[index] = fresh
  }

  async function create(input: ExportCreateInput): Promise<ExportInfo> {
    const created = await $trpc.export.create.mutate(input)
    if (created.projectId === projectId.value) items.value.unshift(created)
    follow(created)
    panelOpen.value = true
    return created
  }

  async function cancel(id: string): Promise<void> {
    await $trpc.export.cancel.mutate({ id })
    await refresh(id)
  }

  async function remove(id: string): Promise<void> {
    const item = items.value.find((each) => each.id === id)
    await $trpc.export.remove.mutate({ id })
    if (item) jobs.forget(item.job.id)
    items.value = items.value.filter((each) => each.id !== id)
  }

  function close(): void {
    for (const item of items.value) jobs.stop(item.job.id)
    items.value = []
    projectId.value = null
    panelOpen.value = false
  }

  return { projectId, items, presets, loading, panelOpen, live, running, loadPresets, load, create, cancel, remove, close }
})
