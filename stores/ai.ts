import { isTerminalJobStatus, type JobStatus } from '~~/shared/jobs'
import type { JobProgress } from '~~/shared/job-progress'
import type { AiDeviceInfo, ModelInfo } from '~~/shared/ai/manifest'
import type { AiTaskOutput, SegmentPromptInput } from '~~/shared/ai/requests'
import type { AssetInfo } from '~/composables/api'

/** What `ai.models.list` answers. */
export interface ModelList {
  device: AiDeviceInfo
  models: ModelInfo[]
  captionEndpoint: { model: string } | null
}

export type AiLayerTask = 'depth' | 'matte' | 'normals'

export const AI_TASK_LABELS: Record<AiLayerTask, string> = { depth: 'Depth map', matte: 'Remove background', normals: 'Normal map' }

/** A depth, matte or normal-map job started from a layer, until its results are placed (or it ends otherwise). */
export interface AiTaskEntry {
  /** The job's id, or a local id for a request the server refused. */
  id: string
  jobId: string | null
  task: AiLayerTask
  projectId: string
  compositionId: string
  layerId: string
  layerName: string
  /** Set when the request was refused or the job failed. */
  error: string | null
  /** The error says a model is missing or broken: the UI links to Settings → Models. */
  needsModel: boolean
  /** Job ended but nothing more to do (placed, cancelled). */
  done: boolean
  /** What placing the results did, for the user. */
  message: string | null
}

/** One segmentation candidate as the server sends it: a grey PNG (white inside). */
export interface SegmentCandidate {
  score: number
  width: number
  height: number
  dataUrl: string
}

export interface SegmentPoint {
  x: number
  y: number
  label: 0 | 1
}

export interface SegmentBox {
  x0: number
  y0: number
  x1: number
  y1: number
}

/** The segment tool's state: on which layer (and frame), the prompts so far and the masks they gave. */
export interface SegmentSession {
  layerId: string
  assetId: string
  frame: number
  points: SegmentPoint[]
  box: SegmentBox | null
  candidates: SegmentCandidate[]
  chosen: number
  busy: boolean
  error: string | null
  needsModel: boolean
  /** The model that answered, and whether the picture's embedding was reused. */
  modelId: string | null
  embeddingCached: boolean
}

const POLL_MS = 1500

/** The first sentences of a (long) server message, for toasts and collapsed rows; the whole text stays available. */
export function briefMessage(message: string, max = 240): string {
  let brief = ''
  for (const sentence of message.split(/(?<=[.!?])\s+/)) {
    if (brief && brief.length + sentence.length + 1 > max) break
    brief = brief ? `${brief} ${sentence}` : sentence
  }
  return brief.length > max ? `${brief.slice(0, max - 1).trimEnd()}…` : brief
}

/** Whether an error is about a model that is not installed (or broken): the fix is in Settings → Models. */
export function isModelProblem(error: unknown): boolean {
  return errorCode(error) === 'PRECONDITION_FAILED' || /settings\s*→\s*models/i.test(errorMessage(error))
}

/**
 * In-process AI in the web app: the model list (polled while a model downloads, with live
 * download progress from its job), depth/matte/normal-map tasks started from layers and followed
 * through the jobs store until their results are placed in the document, the segment tool's
 * session, and captions.
 */
export const useAiStore = defineStore('ai', () => {
  const { $trpc } = useNuxtApp()
  const jobs = useJobsStore()

  // ---- models ----

  const list = ref<ModelList | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)
  let pollTimer: ReturnType<typeof setTimeout> | undefined
  let watchers = 0

  const models = computed(() => list.value?.models ?? [])
  const device = computed(() => list.value?.device ?? null)
  const downloading = computed(() => models.value.some((model) => model.state === 'downloading'))

  /** A model's download progress (0..1): the live job's when followed, else the list's. */
  function downloadProgress(model: ModelInfo): number | null {
    const live = model.downloadJobId ? jobs.live[model.downloadJobId] : undefined
    if (live && !isTerminalJobStatus(live.status)) return live.progress
    return model.progress
  }

  async function load(): Promise<void> {
    loading.value = true
    try {
      list.value = await $trpc.ai.models.list.query() as ModelList
      error.value = null
      for (const model of list.value.models) {
        if (model.state === 'downloading' && model.downloadJobId) followDownload(model.downloadJobId)
      }
    } catch (failure) {
      if (!reportUnauthorized(failure)) error.value = errorMessage(failure)
    } finally {
      loading.value = false
      schedulePoll()
    }
  }

  /** While a page shows the list: refresh it every moment something downloads. */
  function schedulePoll(): void {
    clearTimeout(pollTimer)
    if (watchers > 0 && downloading.value) pollTimer = setTimeout(() => { void load() }, POLL_MS)
  }

  /** A page showing the model list calls this on mount; the returned function on unmount. */
  function watchModels(): () => void {
    watchers++
    void load()
    return () => {
      watchers = Math.max(0, watchers - 1)
      if (watchers === 0) clearTimeout(pollTimer)
    }
  }

  /** Download jobs followed once each (another user's cannot be watched: the list's polling shows those). */
  const followedDownloads = new Set<string>()
  function followDownload(jobId: string): void {
    if (followedDownloads.has(jobId)) return
    followedDownloads.add(jobId)
    jobs.follow(jobId, {
      onEnd: (job) => {
        jobs.forget(jobId)
        if (job && isTerminalJobStatus(job.status)) void load()
      },
    })
  }

  async function download(id: string): Promise<void> {
    const { jobId } = await $trpc.ai.models.download.mutate({ id })
    followDownload(jobId)
    await load()
  }

  async function cancelDownload(model: ModelInfo): Promise<void> {
    if (!model.downloadJobId) return
    await $trpc.jobs.cancel.mutate({ id: model.downloadJobId })
    await load()
  }

  async function verify(id: string): Promise<ModelInfo> {
    const verified = await $trpc.ai.models.verify.mutate({ id }) as ModelInfo
    await load()
    return verified
  }

  async function remove(id: string): Promise<void> {
    await $trpc.ai.models.remove.mutate({ id })
    await load()
  }

  // ---- tasks on layers ----

  const tasks = ref<AiTaskEntry[]>([])
  let localIds = 0

  function liveOf(entry: AiTaskEntry): JobProgress | null {
    return entry.jobId ? jobs.live[entry.jobId] ?? null : null
  }

  /** The status to show: the job's, or failed for a refused request. */
  function statusOf(entry: AiTaskEntry): JobStatus {
    if (!entry.jobId) return 'failed'
    return liveOf(entry)?.status ?? 'queued'
  }

  /**
   * Starts a task on a layer's asset. `place` is called with the job's outputs when it succeeds
   * (to add the result layers); what it returns is shown as the outcome.
   */
  async function startTask(task: AiLayerTask, target: { projectId: string; compositionId: string; layerId: string; layerName: string; assetId: string }, place: (outputs: AiTaskOutput[]) => Promise<string | null>): Promise<AiTaskEntry> {
    const entry = reactive<AiTaskEntry>({
      id: `local-${++localIds}`, jobId: null, task, ...target, error: null, needsModel: false, done: false, message: null,
    })
    tasks.value.unshift(entry)
    try {
      const input = { assetId: target.assetId }
      const { jobId } = task === 'depth' ? await $trpc.ai.depth.mutate(input) : task === 'matte' ? await $trpc.ai.matte.mutate(input) : await $trpc.ai.normals.mutate(input)
      entry.id = jobId
      entry.jobId = jobId
      jobs.follow(jobId, {
        onEnd: (job) => { void finish(entry, job, place) },
      })
    } catch (failure) {
      reportUnauthorized(failure)
      entry.error = errorMessage(failure)
      entry.needsModel = isModelProblem(failure)
    }
    return entry
  }

  async function finish(entry: AiTaskEntry, job: JobProgress | undefined, place: (outputs: AiTaskOutput[]) => Promise<string | null>): Promise<void> {
    let status = job?.status
    let result = job?.result ?? null
    let jobError = job?.error ?? null
    // The stream may stop before the end (a dropped connection): the job's row knows.
    if (entry.jobId && (!status || !isTerminalJobStatus(status) || (status === 'succeeded' && !result))) {
      const row = await $trpc.jobs.get.query({ id: entry.jobId }).catch(() => null)
      if (row) {
        status = row.status
        result = row.result
        jobError = row.error
      }
    }
    if (status === 'succeeded') {
      const outputs = (result?.outputs ?? []) as AiTaskOutput[]
      try {
        entry.message = await place(outputs)
        entry.done = true
      } catch (failure) {
        entry.error = errorMessage(failure)
      }
    } else if (status === 'cancelled') {
      entry.done = true
      entry.message = 'Cancelled.'
    } else {
      entry.error = jobError ?? 'The task stopped without a result.'
      entry.needsModel = /settings\s*→\s*models|not installed|corrupt/i.test(entry.error)
    }
  }

  async function cancelTask(entry: AiTaskEntry): Promise<void> {
    if (entry.jobId) await $trpc.jobs.cancel.mutate({ id: entry.jobId })
  }

  function dismissTask(entry: AiTaskEntry): void {
    tasks.value = tasks.value.filter((each) => each !== entry)
    if (entry.jobId && !jobs.isFollowing(entry.jobId)) jobs.forget(entry.jobId)
  }

  /** Tasks of one project, newest first, for the editor's panel. */
  function tasksOf(projectId: string | null): AiTaskEntry[] {
    return projectId ? tasks.value.filter((entry) => entry.projectId === projectId) : []
  }

  // ---- segment tool ----

  const segment = ref<SegmentSession | null>(null)
  let segmentAbort: AbortController | null = null

  function startSegment(layerId: string, assetId: string, frame: number): void {
    segmentAbort?.abort()
    segment.value = { layerId, assetId, frame, points: [], box: null, candidates: [], chosen: 0, busy: false, error: null, needsModel: false, modelId: null, embeddingCached: false }
  }

  function stopSegment(): void {
    segmentAbort?.abort()
    segmentAbort = null
    segment.value = null
  }

  function clearPrompts(): void {
    const session = segment.value
    if (!session) return
    segmentAbort?.abort()
    Object.assign(session, { points: [], box: null, candidates: [], chosen: 0, busy: false, error: null, needsModel: false })
  }

  function segmentPrompt(session: SegmentSession): SegmentPromptInput {
    return {
      assetId: session.assetId,
      frame: session.frame,
      points: session.points.map((point) => ({ ...point })),
      ...(session.box ? { box: { ...session.box } } : {}),
    }
  }

  /** Asks for masks for the session's prompts; a newer request replaces one still under way. */
  async function runSegment(): Promise<void> {
    const session = segment.value
    if (!session) return
    segmentAbort?.abort()
    if (session.points.length === 0 && !session.box) {
      session.candidates = []
      return
    }
    const abort = new AbortController()
    segmentAbort = abort
    session.busy = true
    session.error = null
    try {
      const answer = await $trpc.ai.segment.mutate(segmentPrompt(session), { signal: abort.signal }) as { masks: SegmentCandidate[]; embeddingCached: boolean; modelId: string }
      if (abort.signal.aborted || segment.value !== session) return
      session.candidates = answer.masks
      session.chosen = 0
      session.modelId = answer.modelId
      session.embeddingCached = answer.embeddingCached
      session.needsModel = false
    } catch (failure) {
      if (abort.signal.aborted || segment.value !== session) return
      reportUnauthorized(failure)
      session.error = errorMessage(failure)
      session.needsModel = isModelProblem(failure)
    } finally {
      if (segmentAbort === abort) {
        segmentAbort = null
        session.busy = false
      }
    }
  }

  function addPoint(point: SegmentPoint): void {
    const session = segment.value
    if (!session) return
    session.points.push(point)
    void runSegment()
  }

  function setBox(box: SegmentBox): void {
    const session = segment.value
    if (!session) return
    session.box = box
    void runSegment()
  }

  function undoPrompt(): void {
    const session = segment.value
    if (!session) return
    if (session.points.length > 0) session.points.pop()
    else session.box = null
    void runSegment()
  }

  /** Stores the chosen candidate as a grey mask asset. */
  async function saveChosenMask(): Promise<AssetInfo> {
    const session = segment.value
    if (!session || session.candidates.length === 0) throw new Error('Click on the picture first: there is no mask to apply.')
    return await $trpc.ai.saveMask.mutate({ prompt: segmentPrompt(session), index: session.chosen }) as AssetInfo
  }

  // ---- captions ----

  async function caption(assetId: string, detail: 'brief' | 'detailed' = 'detailed'): Promise<{ text: string; backend: 'local' | 'endpoint'; model: string }> {
    return await $trpc.ai.caption.mutate({ assetId, detail }) as { text: string; backend: 'local' | 'endpoint'; model: string }
  }

  function reset(): void {
    clearTimeout(pollTimer)
    stopSegment()
    list.value = null
    error.value = null
    tasks.value = []
  }

  return {
    list, loading, error, models, device, downloading, downloadProgress, load, watchModels, download, cancelDownload, verify, remove,
    tasks, liveOf, statusOf, startTask, cancelTask, dismissTask, tasksOf,
    segment, startSegment, stopSegment, clearPrompts, runSegment, addPoint, setBox, undoPrompt, saveChosenMask,
    caption, reset,
  }
})
