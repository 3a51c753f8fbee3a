import type { DropdownMenuItem } from '@nuxt/ui'
import { videoSourceFrame } from '~~/shared/engine'
import { addDepthResult, addMatteResult, addNormalsResult, isAiSourceLayer, type AddedLayer, type AiResultAsset, type AiSourceLayer, type PixelSize } from '~~/shared/editor/ai-layers'
import type { AiTaskOutput } from '~~/shared/ai/requests'
import type { Composition, Layer } from '~~/shared/project'
import type { AssetInfo } from '~/composables/api'
import { assetSize } from '~/composables/editor/asset-drag'
import { AI_TASK_LABELS, briefMessage, type AiLayerTask } from '~/stores/ai'

/** Where to fix a missing model. */
export const MODELS_SETTINGS_PATH = '/settings#models'

/**
 * The AI actions on a layer (depth map, remove background, normal map, segment), as menu items
 * for the layers panel's context menu and the properties panel, and what they do: start the
 * task, follow it, and put its results in the document as layers placed on the source layer.
 */
export function useLayerAiActions() {
  const { $trpc } = useNuxtApp()
  const editor = useEditorStore()
  const ai = useAiStore()
  const assets = useAssetsStore()
  const toast = useToast()

  async function assetInfo(id: string): Promise<AssetInfo | null> {
    const known = assets.items.find((each) => each.id === id)
    if (known && known.status === 'ready') return known
    return await $trpc.assets.get.query({ id }).catch(() => known ?? null)
  }

  /** A made asset as the layer ops need it; it is also put in the assets panel. */
  async function resultAsset(id: string): Promise<AiResultAsset> {
    const info = await assetInfo(id)
    if (!info) return { id }
    assets.upsert(info)
    const size = assetSize(info)
    return { id, name: info.name, kind: info.kind === 'video' ? 'video' : 'image', ...(size ?? {}) }
  }

  async function sourceSize(layer: AiSourceLayer): Promise<PixelSize | undefined> {
    return assetSize(await assetInfo(layer.data.assetId)) ?? undefined
  }

  /** Runs an edit on a composition of the open project, or says why it cannot. */
  function applyTo(projectId: string, compositionId: string, label: string, edit: (comp: Composition) => AddedLayer): AddedLayer {
    if (editor.projectId !== projectId || !editor.doc) throw new Error('The project is no longer open; the results are in Assets.')
    // Set inside the edit (declared this way so they are not narrowed to their first value).
    let added = null as AddedLayer | null
    let failure = null as unknown
    editor.apply((draft) => {
      const comp = draft.compositions[compositionId]
      if (!comp) {
        failure = new Error('The composition is gone; the results are in Assets.')
        return
      }
      try {
        added = edit(comp)
      } catch (error) {
        failure = error
      }
    }, label)
    if (failure) throw failure
    if (!added) throw new Error('The results could not be placed; they are in Assets.')
    return added
  }

  function pick(outputs: AiTaskOutput[], role: AiTaskOutput['role']): string {
    const output = outputs.find((each) => each.role === role)
    if (!output) throw new Error(`The task finished without a ${role} output.`)
    return output.assetId
  }

  /** Starts `task` on a layer; its results are added above it when the job succeeds. */
  async function run(task: AiLayerTask, layer: Layer): Promise<void> {
    const projectId = editor.projectId
    const compositionId = editor.compositionId
    if (!projectId || !compositionId || !isAiSourceLayer(layer)) return
    const layerId = layer.id
    const size = await sourceSize(layer)
    const entry = await ai.startTask(task, { projectId, compositionId, layerId, layerName: layer.name, assetId: layer.data.assetId }, async (outputs) => {
      const role = task === 'depth' ? 'depth' : task === 'matte' ? 'matte' : 'normals'
      const result = await resultAsset(pick(outputs, role))
      const added = applyTo(projectId, compositionId, AI_TASK_LABELS[task], (comp) => {
        if (task === 'depth') return addDepthResult(comp, layerId, result, size)
        if (task === 'matte') return addMatteResult(comp, layerId, result, { sourceSize: size })
        return addNormalsResult(comp, layerId, result, size)
      })
      const outcome = task === 'matte' ? `${layer.name} is matted by “${added.layer.name}” (luma).` : `Added “${added.layer.name}”.`
      toast.add({ title: `${AI_TASK_LABELS[task]} done`, description: [outcome, added.note].filter(Boolean).join(' '), color: 'success', icon: 'i-lucide-sparkles' })
      return [outcome, added.note].filter(Boolean).join(' ')
    })
    if (entry.error) notifyFailure(`${AI_TASK_LABELS[task]} did not start`, entry.error, entry.needsModel)
  }

  /** A failure toast; with a way to Settings → Models when a model is the problem. */
  function notifyFailure(title: string, description: string, needsModel: boolean): void {
    toast.add({
      title, description: briefMessage(description), color: 'error', icon: 'i-lucide-circle-alert',
      actions: needsModel ? [{ label: 'Settings → Models', icon: 'i-lucide-box', color: 'neutral', variant: 'outline', to: MODELS_SETTINGS_PATH }] : undefined,
    })
  }

  /** The frame of the layer's source shown now (videos), for segmenting what the user sees. */
  function sourceFrame(layer: AiSourceLayer): number {
    return layer.kind === 'video' ? Math.max(0, Math.floor(videoSourceFrame(layer, editor.frame))) : 0
  }

  function startSegment(layer: Layer): void {
    if (!isAiSourceLayer(layer)) return
    if (layer.threeD) {
      toast.add({ title: 'Segment works on 2D layers', description: 'Switch the layer\'s 3D off to click on it.', color: 'warning', icon: 'i-lucide-box' })
      return
    }
    editor.selectLayer(layer.id)
    ai.startSegment(layer.id, layer.data.assetId, sourceFrame(layer))
  }

  function items(layer: Layer | null): DropdownMenuItem[] {
    if (!isAiSourceLayer(layer)) return []
    const video = layer.kind === 'video'
    return [
      { label: 'Depth map', icon: 'i-lucide-mountain', description: video ? 'A depth video, in step with this one' : 'A depth layer, ready for parallax', onSelect: () => { void run('depth', layer) } },
      { label: 'Remove background', icon: 'i-lucide-eraser', description: 'A matte layer this layer is matted by', onSelect: () => { void run('matte', layer) } },
      { label: 'Normal map', icon: 'i-lucide-compass', disabled: video, description: video ? 'From pictures only' : 'An image layer of its normals', onSelect: () => { void run('normals', layer) } },
      { label: 'Segment…', icon: 'i-lucide-mouse-pointer-click', disabled: layer.threeD, description: layer.threeD ? '2D layers only' : 'Click what to keep on the viewport', onSelect: () => startSegment(layer) },
    ]
  }

  return { items, run, startSegment, sourceFrame, notifyFailure, resultAsset, sourceSize, applyTo }
}
