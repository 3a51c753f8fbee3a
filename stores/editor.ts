import { reactive as vueReactive, toRaw } from 'vue'
import { PatchHistory, record } from '~~/shared/editor/history'
import { SaveCache } from '~~/shared/editor/save-cache'
import { dropJsonText, sendAsJsonText } from '~~/shared/json-text'
import { copyLayersForPaste, deleteKeyframes, pasteKeyframes, propertyAt } from '~~/shared/editor/ops'
import { formatZodIssues, projectDocumentSchema, type Composition, type Keyframe, type Layer, type ProjectDocument } from '~~/shared/project'
import type { ProjectDetail } from '~/composables/api'

/** A keyframe in the selection: which layer, which property (dotted path), which keyframe. */
export interface KeyframeRef {
  layerId: string
  path: string
  keyframeId: string
}

export type SaveState = 'saved' | 'pending' | 'saving' | 'invalid' | 'conflict' | 'error'

type Clipboard =
  | { kind: 'layers'; layers: Layer[] }
  | { kind: 'keyframes'; layerId: string; path: string; keyframes: Keyframe<unknown>[] }

const AUTOSAVE_DELAY_MS = 1200
export const SAVE_PREPARE_MEASURE = 'lattice:save-prepare'

export const keyframeKey = (ref: KeyframeRef) => `${ref.layerId}|${ref.path}|${ref.keyframeId}`

/**
 * The open project in the editor. Every change to the document goes through `apply`, which
 * records patches for undo/redo and schedules an autosave; saves are optimistic on the
 * project's revision and a lost race becomes `conflict` for the page to resolve.
 */
export const useEditorStore = defineStore('editor', () => {
  const { $trpc } = useNuxtApp()

  const projectId = ref<string | null>(null)
  const name = ref('')
  const revision = ref(0)
  const migratedFrom = ref<number | null>(null)
  const doc = ref<ProjectDocument | null>(null)
  const compositionId = ref<string | null>(null)
  const frame = ref(0)
  const selectedLayerIds = ref<string[]>([])
  const selectedKeyframes = ref<KeyframeRef[]>([])

  /** Bumped on every document change (edits, undo, redo); compared with what was last saved. */
  const version = ref(0)
  const savedVersion = ref(0)
  const saveState = ref<SaveState>('saved')
  const saveMessage = ref<string | null>(null)
  /** Server message of a save that lost the race; the page asks what to do. */
  const conflict = ref<string | null>(null)
  const autosave = ref(true)

  const reactiveWrap = <T extends object>(value: T): T => vueReactive(value) as T
  const history = new PatchHistory({ limit: 300, wrap: reactiveWrap })
  // PatchHistory is not reactive; this makes canUndo/labels recompute.
  const historyTick = ref(0)
  // Validation and JSON text for autosave, redone only for the layers edits touched.
  let saveCache = new SaveCache()
  let clipboard: Clipboard | null = null
  let saveTimer: ReturnType<typeof setTimeout> | undefined
  let savePromise: Promise<boolean> | null = null

  const composition = computed<Composition | null>(() => {
    const d = doc.value
    const id = compositionId.value
    return d && id ? d.compositions[id] ?? null : null
  })
  const compositions = computed(() => (doc.value ? Object.values(doc.value.compositions) : []))
  const dirty = computed(() => version.value !== savedVersion.value)
  const canUndo = computed(() => historyTick.value >= 0 && history.canUndo)
  const canRedo = computed(() => historyTick.value >= 0 && history.canRedo)
  const undoLabel = computed(() => (historyTick.value >= 0 ? history.undoLabel : null))
  const redoLabel = computed(() => (historyTick.value >= 0 ? history.redoLabel : null))
  const selectedLayers = computed(() => {
    const comp = composition.value
    return comp ? comp.layers.filter((layer) => selectedLayerIds.value.includes(layer.id)) : []
  })
  const selectedKeyframeKeys = computed(() => new Set(selectedKeyframes.value.map(keyframeKey)))

  function open(project: ProjectDetail): void {
    clearTimeout(saveTimer)
    projectId.value = project.id
    name.value = project.name
    revision.value = project.revision
    migratedFrom.value = project.migratedFrom
    doc.value = project.document as ProjectDocument
    saveCache = new SaveCache()
    warmSaveCache(saveCache, toRaw(doc.value))
    const current = compositionId.value
    compositionId.value = current && project.document.compositions[current] ? current : project.document.mainCompositionId
    frame.value = Math.min(frame.value, Math.max(0, (composition.value?.frameCount ?? 1) - 1))
    const layerIds = new Set(composition.value?.layers.map((layer) => layer.id) ?? [])
    selectedLayerIds.value = selectedLayerIds.value.filter((id) => layerIds.has(id))
    selectedKeyframes.value = []
    history.clear()
    historyTick.value++
    version.value = 0
    savedVersion.value = 0
    saveState.value = 'saved'
    saveMessage.value = null
    conflict.value = null
  }

  function close(): void {
    clearTimeout(saveTimer)
    projectId.value = null
    doc.value = null
    compositionId.value = null
    selectedLayerIds.value = []
    selectedKeyframes.value = []
    history.clear()
    historyTick.value++
    conflict.value = null
  }

  /** Fills the save cache while the page is idle, so the first autosave after opening is quick too. */
  function warmSaveCache(cache: SaveCache, document: ProjectDocument): void {
    if (typeof requestIdleCallback !== 'function') return
    const steps = cache.warmUp(document)
    const work = (deadline: IdleDeadline) => {
      // A project opened since has its own cache; this one is left.
      if (cache !== saveCache) return
      while (deadline.timeRemaining() > 2) {
        if (steps.next().done) return
      }
      requestIdleCallback(work)
    }
    requestIdleCallback(work)
  }

  /** After undo/redo the open composition or selected items may be gone: fall back and prune. */
  function reconcileSelection(): void {
    const d = doc.value
    if (!d) return
    if (!compositionId.value || !d.compositions[compositionId.value]) {
      compositionId.value = d.mainCompositionId
      selectedLayerIds.value = []
      selectedKeyframes.value = []
      return
    }
    const layers = d.compositions[compositionId.value]?.layers ?? []
    const ids = new Set(layers.map((layer) => layer.id))
    if (selectedLayerIds.value.some((id) => !ids.has(id))) selectedLayerIds.value = selectedLayerIds.value.filter((id) => ids.has(id))
    if (selectedKeyframes.value.length > 0) {
      const alive = selectedKeyframes.value.filter((ref) => {
        const layer = layers.find((each) => each.id === ref.layerId)
        return layer ? propertyAt(layer, ref.path)?.keyframes.some((keyframe) => keyframe.id === ref.keyframeId) ?? false : false
      })
      if (alive.length !== selectedKeyframes.value.length) selectedKeyframes.value = alive
    }
  }

  function touched(): void {
    reconcileSelection()
    version.value++
    historyTick.value++
    if (saveState.value !== 'conflict') saveState.value = 'pending'
    scheduleSave()
  }

  /**
   * Runs one edit on the document and records it for undo. Edits with the same `mergeKey`
   * close together (a drag, typing) undo as one step. Returns whether anything changed.
   */
  function apply(mutator: (draft: ProjectDocument) => void, label: string, mergeKey?: string): boolean {
    const current = doc.value
    if (!current) return false
    const patches = record(current, mutator, { unwrap: toRaw, wrap: reactiveWrap })
    if (patches.length === 0) return false
    saveCache.forget(patches)
    history.push(label, patches, mergeKey)
    touched()
    return true
  }

  /**
   * One step of a live drag: takes back the drag's previous step, then applies `mutator`
   * (which computes the whole change from the starting state). The drag undoes as one step.
   */
  function applyLive(session: string, mutator: (draft: ProjectDocument) => void, label: string): boolean {
    const current = doc.value
    if (!current) return false
    const last = history.peek()
    const reverted = history.revertLast(session)
    if (reverted && last) saveCache.forget(last.patches)
    const patches = record(current, mutator, { unwrap: toRaw, wrap: reactiveWrap })
    saveCache.forget(patches)
    if (patches.length > 0) history.push(label, patches, session)
    if (reverted || patches.length > 0) touched()
    return patches.length > 0
  }

  /** A live-drag step on the current composition (see applyLive). */
  function applyLiveToComposition(session: string, mutator: (comp: Composition) => void, label: string): boolean {
    const id = compositionId.value
    return applyLive(session, (draft) => {
      const comp = id ? draft.compositions[id] : undefined
      if (comp) mutator(comp)
    }, label)
  }

  /** Edits of the current composition; does nothing when none is open. */
  function applyToComposition(mutator: (comp: Composition) => void, label: string, mergeKey?: string): boolean {
    const id = compositionId.value
    return apply((draft) => {
      const comp = id ? draft.compositions[id] : undefined
      if (comp) mutator(comp)
    }, label, mergeKey)
  }

  /** Edits one layer of the current composition by id. */
  function applyToLayer(layerId: string, mutator: (layer: Layer, comp: Composition) => void, label: string, mergeKey?: string): boolean {
    return applyToComposition((comp) => {
      const layer = comp.layers.find((each) => each.id === layerId)
      if (layer) mutator(layer, comp)
    }, label, mergeKey)
  }

  /** Ends merging into the last undo step (e.g. when a drag ends). */
  function sealHistory(): void {
    history.seal()
  }

  function undo(): void {
    const entry = history.undo()
    if (!entry) return
    saveCache.forget(entry.patches)
    touched()
  }

  function redo(): void {
    const entry = history.redo()
    if (!entry) return
    saveCache.forget(entry.patches)
    touched()
  }

  // ---- selection and time ----

  function selectComposition(id: string): void {
    if (!doc.value?.compositions[id]) return
    compositionId.value = id
    selectedLayerIds.value = []
    selectedKeyframes.value = []
    frame.value = Math.min(frame.value, (composition.value?.frameCount ?? 1) - 1)
  }

  function selectLayer(id: string | null, additive = false): void {
    if (id === null) selectedLayerIds.value = []
    else if (!additive) selectedLayerIds.value = [id]
    else if (selectedLayerIds.value.includes(id)) selectedLayerIds.value = selectedLayerIds.value.filter((each) => each !== id)
    else selectedLayerIds.value = [...selectedLayerIds.value, id]
  }

  function selectKeyframe(ref: KeyframeRef | null, additive = false): void {
    if (ref === null) {
      selectedKeyframes.value = []
      return
    }
    const key = keyframeKey(ref)
    const has = selectedKeyframeKeys.value.has(key)
    if (!additive) selectedKeyframes.value = [ref]
    else if (has) selectedKeyframes.value = selectedKeyframes.value.filter((each) => keyframeKey(each) !== key)
    else selectedKeyframes.value = [...selectedKeyframes.value, ref]
  }

  function setFrame(value: number): void {
    const count = composition.value?.frameCount ?? 1
    frame.value = Math.max(0, Math.min(count - 1, Math.round(value)))
  }

  /** Selected keyframes grouped by layer and property. */
  function selectedKeyframeGroups(): { layerId: string; path: string; ids: Set<string> }[] {
    const groups = new Map<string, { layerId: string; path: string; ids: Set<string> }>()
    for (const ref of selectedKeyframes.value) {
      const key = `${ref.layerId}|${ref.path}`
      const group = groups.get(key) ?? { layerId: ref.layerId, path: ref.path, ids: new Set<string>() }
      group.ids.add(ref.keyframeId)
      groups.set(key, group)
    }
    return [...groups.values()]
  }

  /** Deletes layers of the current composition; links to them (parent, matte) are cleared. */
  function deleteLayers(ids: ReadonlySet<string>): void {
    if (ids.size === 0) return
    applyToComposition((draft) => {
      for (let i = draft.layers.length - 1; i >= 0; i--) if (ids.has(draft.layers[i]!.id)) draft.layers.splice(i, 1)
      for (const layer of draft.layers) {
        if (layer.parentId !== null && ids.has(layer.parentId)) layer.parentId = null
        if (layer.trackMatte.layerId !== null && ids.has(layer.trackMatte.layerId)) layer.trackMatte.layerId = null
      }
    }, ids.size === 1 ? 'Delete layer' : 'Delete layers')
    selectedLayerIds.value = selectedLayerIds.value.filter((id) => !ids.has(id))
    selectedKeyframes.value = selectedKeyframes.value.filter((ref) => !ids.has(ref.layerId))
  }

  /** Deletes the selected keyframes; properties left without any keep their value at the current frame. */
  function deleteSelectedKeyframes(): void {
    const groups = selectedKeyframeGroups()
    if (groups.length === 0) return
    const at = frame.value
    applyToComposition((draft) => {
      for (const group of groups) {
        const layer = draft.layers.find((each) => each.id === group.layerId)
        const property = layer ? propertyAt(layer, group.path) : null
        if (property) deleteKeyframes(property, group.ids, at, group.path === 'transform.position')
      }
    }, 'Delete keyframes')
    selectedKeyframes.value = []
  }

  /** Delete key: the selected keyframes if any, else the selected layers. */
  function deleteSelection(): void {
    if (selectedKeyframes.value.length > 0) deleteSelectedKeyframes()
    else deleteLayers(new Set(selectedLayerIds.value))
  }

  // ---- clipboard ----

  /** Copies the selected keyframes (of one property) if any, else the selected layers. */
  function copy(): string | null {
    const comp = composition.value
    if (!comp) return null
    const groups = selectedKeyframeGroups()
    if (groups.length === 1) {
      const group = groups[0]!
      const layer = comp.layers.find((each) => each.id === group.layerId)
      const property = layer ? propertyAt(layer, group.path) : null
      if (property) {
        const keyframes = property.keyframes.filter((keyframe) => group.ids.has(keyframe.id))
        clipboard = { kind: 'keyframes', layerId: group.layerId, path: group.path, keyframes: JSON.parse(JSON.stringify(keyframes)) }
        return `${keyframes.length} keyframe(s)`
      }
    }
    if (selectedLayers.value.length > 0) {
      clipboard = { kind: 'layers', layers: JSON.parse(JSON.stringify(toRaw(selectedLayers.value).map((layer) => toRaw(layer)))) }
      return `${selectedLayers.value.length} layer(s)`
    }
    return null
  }

  /** Pastes copied layers above the selection, or copied keyframes at the current frame (into the selected layer, else their own). */
  function paste(): string | null {
    const comp = composition.value
    const copied = clipboard
    if (!comp || !copied) return null
    if (copied.kind === 'layers') {
      const layers = copyLayersForPaste(copied.layers, comp)
      const top = comp.layers.findIndex((layer) => selectedLayerIds.value.includes(layer.id))
      // Nested compositions must still exist here (they may come from another project state).
      const usable = layers.filter((layer) => layer.kind !== 'nestedComposition' || (doc.value?.compositions[layer.data.compositionId] && layer.data.compositionId !== comp.id))
      if (usable.length === 0) return null
      applyToComposition((draft) => { draft.layers.splice(Math.max(0, top), 0, ...usable) }, 'Paste layers')
      selectedLayerIds.value = usable.map((layer) => layer.id)
      return `${usable.length} layer(s)`
    }
    // Into the selected layer, else back into the layer they came from.
    const target = selectedLayers.value[0] ?? comp.layers.find((layer) => layer.id === copied.layerId)
    if (!target || !propertyAt(target, copied.path)) return null
    let ids: string[] = []
    applyToLayer(target.id, (layer) => {
      const property = propertyAt(layer, copied.path)
      if (property) ids = pasteKeyframes(property, copied.keyframes, frame.value)
    }, 'Paste keyframes')
    selectedKeyframes.value = ids.map((keyframeId) => ({ layerId: target.id, path: copied.path, keyframeId }))
    return `${ids.length} keyframe(s)`
  }

  // ---- saving ----

  /**
   * The document checked against the schema, or the problems that keep it from being saved.
   * A canonical document (as edits keep it) is checked through the save cache, not zod.
   */
  function validated(): { ok: true; document: ProjectDocument } | { ok: false; message: string } {
    const raw = toRaw(doc.value)
    if (saveCache.isCanonical(raw)) return { ok: true, document: raw }
    const parsed = projectDocumentSchema.safeParse(raw)
    return parsed.success ? { ok: true, document: parsed.data } : { ok: false, message: formatZodIssues(parsed.error) }
  }

  /** The JSON text to save: assembled from kept layer texts when the document is canonical. */
  function saveText(document: ProjectDocument): string {
    return document === toRaw(doc.value) ? saveCache.text(document) : JSON.stringify(document)
  }

  function scheduleSave(): void {
    clearTimeout(saveTimer)
    if (!autosave.value || conflict.value) return
    saveTimer = setTimeout(() => { void save() }, AUTOSAVE_DELAY_MS)
  }

  /**
   * Saves the document at the current revision (also when nothing changed, if `force`).
   * Resolves true when the server has this version. Never sends a document the schema rejects.
   */
  async function save(force = false): Promise<boolean> {
    clearTimeout(saveTimer)
    if (savePromise) {
      await savePromise
      if (!dirty.value && !force) return true
    }
    const id = projectId.value
    if (!id || !doc.value || conflict.value) return false
    if (!dirty.value && !force) return true
    const preparing = performance.now()
    const check = validated()
    if (!check.ok) {
      saveState.value = 'invalid'
      saveMessage.value = check.message
      return false
    }
    const sending = version.value
    saveState.value = 'saving'
    saveMessage.value = null
    // Serialised now, so edits made while the request is under way wait for the next save.
    const document = sendAsJsonText<ProjectDocument>(saveText(check.document))
    // How long the save held the main thread (validation and serialising); bench/autosave.ts reads it.
    performance.measure(SAVE_PREPARE_MEASURE, { start: preparing })
    const run = (async () => {
      try {
        const saved = await $trpc.projects.save.mutate({ id, revision: revision.value, document })
        if (projectId.value !== id) return false
        revision.value = saved.revision
        savedVersion.value = sending
        saveState.value = dirty.value ? 'pending' : 'saved'
        if (saved.missingAssetIds.length > 0) saveMessage.value = `${saved.missingAssetIds.length} layer source(s) point to assets this server does not have.`
        if (dirty.value) scheduleSave()
        return true
      } catch (error) {
        if (errorCode(error) === 'CONFLICT') {
          conflict.value = errorMessage(error)
          saveState.value = 'conflict'
        } else {
          reportUnauthorized(error)
          saveState.value = 'error'
          saveMessage.value = errorMessage(error)
        }
        return false
      }
    })()
    savePromise = run
    try {
      return await run
    } finally {
      savePromise = null
      dropJsonText(document)
    }
  }

  /** Conflict: discard local changes and open the newest saved version. */
  async function reloadTheirs(): Promise<void> {
    const id = projectId.value
    if (!id) return
    const project = await $trpc.projects.get.query({ id })
    open(project)
  }

  /** Conflict: save this version over the newest one (fetching its revision first). */
  async function keepMine(): Promise<boolean> {
    const id = projectId.value
    if (!id) return false
    const latest = await $trpc.projects.get.query({ id })
    revision.value = latest.revision
    name.value = latest.name
    conflict.value = null
    return save(true)
  }

  function setAutosave(value: boolean): void {
    autosave.value = value
    if (value && dirty.value) scheduleSave()
  }

  return {
    projectId, name, revision, migratedFrom, doc, compositionId, composition, compositions, frame,
    selectedLayerIds, selectedLayers, selectedKeyframes, selectedKeyframeKeys, version, savedVersion, dirty,
    saveState, saveMessage, conflict, autosave, canUndo, canRedo, undoLabel, redoLabel,
    open, close, apply, applyLive, applyLiveToComposition, applyToComposition, applyToLayer, sealHistory, undo, redo,
    selectComposition, selectLayer, selectKeyframe, setFrame, selectedKeyframeGroups, deleteLayers, deleteSelectedKeyframes, deleteSelection,
    copy, paste, validated, save, reloadTheirs, keepMine, setAutosave,
  }
})
