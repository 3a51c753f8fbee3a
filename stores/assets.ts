import { LIMITS } from '~~/shared/limits'
import type { JobProgress } from '~~/shared/job-progress'
import type { AssetInfo, AssetKind } from '~/composables/api'
import { uploadAsset } from '~/composables/upload'

const PAGE_SIZE = 60
const PARALLEL_UPLOADS = 2

/** One file the user dropped, from the first byte sent to its asset being ready (or not). */
export interface UploadEntry {
  key: string
  name: string
  size: number
  loaded: number
  phase: 'queued' | 'uploading' | 'processing' | 'ready' | 'failed'
  error: string | null
  assetId: string | null
  jobId: string | null
  deduplicated: boolean
}

export type { JobProgress }

/** The media library: the asset grid, uploads in flight and the processing jobs they start. */
export const useAssetsStore = defineStore('assets', () => {
  const { $trpc } = useNuxtApp()
  const kind = ref<AssetKind | null>(null)
  const search = ref('')
  const list = usePagedList<AssetInfo>((cursor) => $trpc.assets.list.query({ kind: kind.value ?? undefined, search: search.value.trim() || undefined, limit: PAGE_SIZE, cursor }))
  const { items, nextCursor, loading, loadingMore, loaded, error, load, loadMore } = list
  const uploads = ref<UploadEntry[]>([])
  const jobStore = useJobsStore()
  /** The processing job of each asset being processed, keyed by asset id. */
  const jobIds = ref<Record<string, string>>({})
  /** Their live state (from the jobs store), keyed by asset id. */
  const jobs = computed<Record<string, JobProgress>>(() => Object.fromEntries(
    Object.entries(jobIds.value).flatMap(([assetId, jobId]) => (jobStore.live[jobId] ? [[assetId, jobStore.live[jobId]]] : [])),
  ))
  /** The server's upload limit; the shared default until the server says otherwise. */
  const maxUploadBytes = ref<number>(LIMITS.defaultMaxUploadBytes)

  const waiting: (() => void)[] = []
  let active = 0
  let nextKey = 0
  // An upload that ends after a sign-out must not put its asset in the next user's grid.
  let resets = 0

  function matchesFilters(asset: AssetInfo): boolean {
    const term = search.value.trim().toLowerCase()
    return (!kind.value || asset.kind === kind.value) && (!term || asset.name.toLowerCase().includes(term))
  }

  /** Puts a fresh copy of an asset in the grid (new ones first) when it matches the filters. */
  function upsert(asset: AssetInfo): void {
    const index = items.value.findIndex((item) => item.id === asset.id)
    if (index >= 0) items.value.splice(index, 1, asset)
    else if (matchesFilters(asset)) items.value.unshift(asset)
  }

  async function refreshAsset(id: string): Promise<AssetInfo | null> {
    try {
      const asset = await $trpc.assets.get.query({ id })
      upsert(asset)
      for (const entry of uploads.value) {
        if (entry.assetId !== id || entry.phase !== 'processing') continue
        if (asset.status === 'ready') entry.phase = 'ready'
        if (asset.status === 'failed') {
          entry.phase = 'failed'
          entry.error = asset.error ?? 'Processing failed.'
        }
      }
      return asset
    } catch (failure) {
      if (errorCode(failure) === 'NOT_FOUND') items.value = items.value.filter((item) => item.id !== id)
      return null
    }
  }

  /** Follows a processing job until it ends, then reloads its asset (status, thumbnail, metadata). */
  function watchJob(jobId: string, assetId: string): void {
    if (jobIds.value[assetId] === jobId && jobStore.isFollowing(jobId)) return
    jobIds.value[assetId] = jobId
    jobStore.follow(jobId, {
      onEnd: () => void refreshAsset(assetId).then(() => {
        delete jobIds.value[assetId]
        jobStore.forget(jobId)
      }),
    })
  }

  async function takeSlot(): Promise<void> {
    if (active < PARALLEL_UPLOADS) {
      active++
      return
    }
    await new Promise<void>((resolve) => waiting.push(resolve))
  }

  function releaseSlot(): void {
    const next = waiting.shift()
    if (next) next()
    else active--
  }

  async function uploadOne(file: File): Promise<void> {
    const entry = reactive<UploadEntry>({
      key: `upload-${++nextKey}`, name: file.name, size: file.size, loaded: 0, phase: 'queued', error: null, assetId: null, jobId: null, deduplicated: false,
    })
    uploads.value.unshift(entry)
    if (file.size > maxUploadBytes.value) {
      entry.phase = 'failed'
      entry.error = `${file.name} is ${formatBytes(file.size)}; uploads are limited to ${formatBytes(maxUploadBytes.value)}.`
      return
    }
    const session = resets
    await takeSlot()
    try {
      entry.phase = 'uploading'
      const result = await uploadAsset(file, (loaded) => { entry.loaded = loaded })
      if (session !== resets) return
      entry.loaded = entry.size
      entry.assetId = result.asset.id
      entry.jobId = result.jobId
      entry.deduplicated = result.deduplicated
      upsert(result.asset)
      if (result.jobId && result.asset.status === 'processing') {
        entry.phase = 'processing'
        watchJob(result.jobId, result.asset.id)
      } else if (result.asset.status === 'failed') {
        entry.phase = 'failed'
        entry.error = result.asset.error ?? 'Processing failed.'
      } else {
        entry.phase = result.asset.status === 'processing' ? 'processing' : 'ready'
      }
    } catch (failure) {
      entry.phase = 'failed'
      entry.error = errorMessage(failure)
      reportUnauthorized(failure)
    } finally {
      releaseSlot()
    }
  }

  /** Uploads files, a few at a time; each gets its own entry in `uploads`. */
  function upload(files: Iterable<File>): Promise<void> {
    return Promise.all([...files].map(uploadOne)).then(() => undefined)
  }

  function clearFinishedUploads(): void {
    uploads.value = uploads.value.filter((entry) => entry.phase !== 'ready' && entry.phase !== 'failed')
  }

  async function rename(id: string, name: string): Promise<void> {
    upsert(await $trpc.assets.rename.mutate({ id, name }))
  }

  /** Refused with CONFLICT (naming the projects) while a project uses the asset. */
  async function remove(id: string): Promise<void> {
    await $trpc.assets.delete.mutate({ id })
    items.value = items.value.filter((item) => item.id !== id)
  }

  /** Asks the server for its upload limit, when it tells (older servers only have the default). */
  async function loadLimits(): Promise<void> {
    const health: Record<string, unknown> = await $trpc.system.health.query().catch(() => ({}))
    if (typeof health.maxUploadBytes === 'number') maxUploadBytes.value = health.maxUploadBytes
  }

  function reset(): void {
    resets++
    list.clear()
    for (const jobId of Object.values(jobIds.value)) jobStore.forget(jobId)
    jobIds.value = {}
    kind.value = null
    search.value = ''
    uploads.value = []
  }

  return {
    items, nextCursor, kind, search, loading, loadingMore, loaded, error, uploads, jobs, maxUploadBytes,
    load, loadMore, upsert, refreshAsset, watchJob, upload, clearFinishedUploads, rename, remove, loadLimits, reset,
  }
})
