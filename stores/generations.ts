import { TERMINAL_GENERATION_STATUSES, type GenerationStatus, type TemplateManifest } from '~~/shared/comfy/manifest'
import type { JobProgress } from '~~/shared/job-progress'
import { chooseFrameInput, type FramePass } from '~~/shared/comfy/frame-inputs'
import { sizeForFrame, type FrameSize } from '~~/shared/comfy/frame-size'
import type { GenerationInfo, TemplateDetail, TemplateListItem, UploadedWorkflow, WorkflowInspection } from '~/composables/api'

const PAGE_SIZE = 30

/** What a generation's live events add to its row: the latest sampler preview and log line (its job's, from the jobs store). */
export type GenerationLive = Pick<JobProgress, 'preview' | 'message'>

/** The Generate panel: templates, the chosen one's form values, and the queue/history with live progress. */
export const useGenerationsStore = defineStore('generations', () => {
  const { $trpc } = useNuxtApp()
  const templates = ref<TemplateListItem[]>([])
  const template = ref<TemplateDetail | null>(null)
  const templateLoading = ref(false)
  const values = ref<Record<string, string | number | boolean | null>>({})
  const inputs = ref<Record<string, string | null>>({})
  const items = ref<GenerationInfo[]>([])
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const loaded = ref(false)
  const error = ref<string | null>(null)
  const creating = ref(false)
  const jobStore = useJobsStore()
  /** Keyed by generation id. */
  const live = computed<Record<string, GenerationLive>>(() => Object.fromEntries(
    items.value.flatMap((item) => {
      const progress = jobStore.live[item.jobId]
      return progress ? [[item.id, progress]] : []
    }),
  ))
  /** A rendered frame sent from the editor, waiting for the Generate page to place it in an input. */
  const offered = ref<{ assetId: string; pass: FramePass['type']; size?: FrameSize } | null>(null)

  let templateRequest = 0

  async function loadTemplates(): Promise<void> {
    templates.value = await $trpc.comfy.templates.list.query()
  }

  /** Loads a template (choices from the server) and fills the form with its defaults. */
  async function selectTemplate(id: string): Promise<void> {
    const mine = ++templateRequest
    templateLoading.value = true
    try {
      const detail = await $trpc.comfy.templates.get.query({ id })
      if (mine !== templateRequest) return
      template.value = detail
      const fresh: Record<string, string | number | boolean | null> = {}
      for (const parameter of detail.parameters) {
        if (parameter.type === 'choice') fresh[parameter.name] = parameter.default ?? parameter.options?.[0] ?? parameter.choices?.[0] ?? null
        else if (parameter.type === 'seed') fresh[parameter.name] = parameter.default ?? null
        else fresh[parameter.name] = parameter.default
      }
      values.value = fresh
      inputs.value = Object.fromEntries(detail.manifest.inputs.map((input) => [input.name, null]))
    } finally {
      if (mine === templateRequest) templateLoading.value = false
    }
  }

  /** A rendered frame for the Generate panel; `size` (the composition's) sets the form's width and height. */
  function offer(assetId: string, pass: FramePass['type'], size?: FrameSize): void {
    offered.value = { assetId, pass, size }
  }

  /**
   * Puts the offered frame in the input that suits it (see chooseFrameInput), switching template
   * when the current one has none. Returns the input's name, or null when no template takes a picture.
   */
  async function placeOffered(): Promise<string | null> {
    const frame = offered.value
    if (!frame) return null
    offered.value = null
    // A template the servers cannot run is no place to send a frame.
    const runnable = templates.value.filter((t) => t.readiness?.runnable !== false)
    const target = chooseFrameInput(runnable, template.value ? { id: template.value.id, inputs: template.value.manifest.inputs } : null, frame.pass)
    if (!target) return null
    if (target.templateId !== template.value?.id) await selectTemplate(target.templateId)
    inputs.value[target.inputName] = frame.assetId
    if (frame.size) sizeFromFrame(frame.size)
    return target.inputName
  }

  /** Width and height of the form at a rendered frame's size, fitted to what the template allows. */
  function sizeFromFrame(size: FrameSize): void {
    if (template.value) Object.assign(values.value, sizeForFrame(template.value.parameters, size))
  }

  function clearTemplate(): void {
    templateRequest++
    template.value = null
    values.value = {}
    inputs.value = {}
  }

  /** Drafts a mapping for an API-format workflow (typed by a server's object_info when one answers). */
  function inspectWorkflow(workflow: unknown, name?: string): Promise<WorkflowInspection> {
    return $trpc.comfy.workflows.inspect.mutate({ workflow, ...(name ? { name } : {}) })
  }

  function getWorkflow(id: string): Promise<UploadedWorkflow> {
    return $trpc.comfy.workflows.get.query({ id })
  }

  /** Uploads a workflow with its mapping, or re-maps one (`id`), then picks it in the form. */
  async function saveWorkflow(input: { id?: string; name: string; workflow: Record<string, unknown>; manifest: TemplateManifest }): Promise<string> {
    const manifest = input.manifest
    const saved = input.id
      ? await $trpc.comfy.workflows.update.mutate({ id: input.id, name: input.name, manifest })
      : await $trpc.comfy.workflows.upload.mutate({ name: input.name, workflow: input.workflow, manifest })
    await loadTemplates()
    await selectTemplate(saved.id)
    return saved.id
  }

  async function removeWorkflow(id: string): Promise<void> {
    await $trpc.comfy.workflows.remove.mutate({ id })
    if (template.value?.id === id) clearTemplate()
    await loadTemplates()
  }

  function upsert(generation: GenerationInfo): void {
    const index = items.value.findIndex((item) => item.id === generation.id)
    if (index >= 0) items.value.splice(index, 1, generation)
    else items.value.unshift(generation)
    if (TERMINAL_GENERATION_STATUSES.includes(generation.status)) unwatch(generation.id)
    else watch(generation.id)
  }

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const page = await $trpc.comfy.generations.list.query({ limit: PAGE_SIZE })
      items.value = []
      for (const item of [...page.items].reverse()) upsert(item)
      nextCursor.value = page.nextCursor
      loaded.value = true
    } catch (failure) {
      if (!reportUnauthorized(failure)) error.value = errorMessage(failure)
    } finally {
      loading.value = false
    }
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value) return
    const page = await $trpc.comfy.generations.list.query({ limit: PAGE_SIZE, cursor: nextCursor.value })
    const seen = new Set(items.value.map((item) => item.id))
    for (const item of page.items) {
      if (seen.has(item.id)) continue
      items.value.push(item)
      if (!TERMINAL_GENERATION_STATUSES.includes(item.status)) watch(item.id)
    }
    nextCursor.value = page.nextCursor
  }

  async function refresh(id: string): Promise<void> {
    try {
      upsert(await $trpc.comfy.generations.get.query({ id }))
    } catch (failure) {
      if (errorCode(failure) === 'NOT_FOUND') forget(id)
    }
  }

  /** Follows a generation's job (status, progress, previews) until it ends, then reloads it (outputs). */
  function watch(id: string): void {
    const generation = items.value.find((each) => each.id === id)
    if (!generation) return
    jobStore.follow(generation.jobId, {
      status: generation.status,
      onEvent: (event, job) => {
        const item = items.value.find((each) => each.id === id)
        if (!item) return
        switch (event.type) {
          case 'status':
            item.status = event.status as GenerationStatus
            if (event.error) item.error = event.error
            // A retried generation replays its earlier attempt's ending first: the row says which is current.
            if (TERMINAL_GENERATION_STATUSES.includes(item.status)) void refresh(id)
            break
          case 'progress':
            item.progress = { ...job.detail, fraction: job.progress }
            break
          case 'outputs':
            item.outputs = event.assetIds
            break
        }
      },
      onEnd: () => void refresh(id),
    })
  }

  function unwatch(id: string): void {
    const generation = items.value.find((each) => each.id === id)
    if (generation) jobStore.stop(generation.jobId)
  }

  function forget(id: string): void {
    const generation = items.value.find((each) => each.id === id)
    if (generation) jobStore.forget(generation.jobId)
    items.value = items.value.filter((item) => item.id !== id)
  }

  /** Queues the chosen template with the form's values; empty seeds and pictures are left out. */
  async function create(): Promise<GenerationInfo | null> {
    if (!template.value) return null
    creating.value = true
    try {
      const params: Record<string, string | number | boolean> = {}
      for (const [name, value] of Object.entries(values.value)) {
        if (value !== null && value !== '' && !(typeof value === 'number' && Number.isNaN(value))) params[name] = value
      }
      const picked: Record<string, string> = {}
      for (const [name, assetId] of Object.entries(inputs.value)) if (assetId) picked[name] = assetId
      const generation = await $trpc.comfy.generations.create.mutate({ templateId: template.value.id, params, inputs: picked })
      upsert(generation)
      return generation
    } finally {
      creating.value = false
    }
  }

  async function cancel(id: string): Promise<void> {
    upsert(await $trpc.comfy.generations.cancel.mutate({ id }))
  }

  async function retry(id: string): Promise<void> {
    const generation = await $trpc.comfy.generations.retry.mutate({ id })
    // Its job streams again from the start: follow it afresh.
    jobStore.forget(generation.jobId)
    upsert(generation)
  }

  async function remove(id: string): Promise<void> {
    await $trpc.comfy.generations.delete.mutate({ id })
    forget(id)
  }

  function reset(): void {
    for (const item of items.value) jobStore.forget(item.jobId)
    templates.value = []
    template.value = null
    values.value = {}
    inputs.value = {}
    items.value = []
    nextCursor.value = null
    loaded.value = false
    error.value = null
    offered.value = null
  }

  return {
    templates, template, templateLoading, values, inputs, items, nextCursor, loading, loaded, error, creating, live, offered,
    loadTemplates, selectTemplate, clearTemplate, offer, placeOffered, sizeFromFrame, inspectWorkflow, getWorkflow, saveWorkflow, removeWorkflow, load, loadMore, refresh, watch, unwatch, create, cancel, retry, remove, reset,
  }
})
