import { deleteVertices } from '~~/shared/editor/ops'

export type CanvasTool = 'select' | 'pen' | 'rectangle' | 'ellipse'

export const CANVAS_TOOLS: { tool: CanvasTool; label: string; key: string; icon: string }[] = [
  { tool: 'select', label: 'Selection', key: 'V', icon: 'i-lucide-mouse-pointer-2' },
  { tool: 'pen', label: 'Pen: click to add vertices, drag to pull curves, click the first vertex to close', key: 'G', icon: 'i-lucide-pen-tool' },
  { tool: 'rectangle', label: 'Rectangle mask: drag on the layer', key: 'Q', icon: 'i-lucide-square' },
  { tool: 'ellipse', label: 'Ellipse mask: drag on the layer', key: 'Q', icon: 'i-lucide-circle' },
]

/**
 * The viewport's tool and what it is editing: the active mask of the selected layer, its
 * selected vertices (by index) and the mask the pen is still drawing. Cleared whenever the
 * selected layer changes, so indices never point into another layer's path.
 */
export const useCanvasToolsStore = defineStore('canvasTools', () => {
  const editor = useEditorStore()
  const tool = ref<CanvasTool>('select')
  const layerId = ref<string | null>(null)
  const activeMaskId = ref<string | null>(null)
  const selectedVertices = ref<number[]>([])
  /** The mask the pen is adding vertices to (open until its first vertex is clicked, or Enter). */
  const drawingMaskId = ref<string | null>(null)

  watch(() => (editor.selectedLayerIds.length === 1 ? editor.selectedLayerIds[0] : null), (id) => {
    if (id === layerId.value) return
    layerId.value = id ?? null
    activeMaskId.value = null
    selectedVertices.value = []
    drawingMaskId.value = null
  })

  function setTool(next: CanvasTool): void {
    if (next !== 'pen') drawingMaskId.value = null
    tool.value = next
  }

  /** Q switches between the two shape tools, as in After Effects. */
  function cycleShapeTool(): void {
    setTool(tool.value === 'rectangle' ? 'ellipse' : 'rectangle')
  }

  function activateMask(maskId: string | null, vertices: number[] = []): void {
    if (maskId !== activeMaskId.value) drawingMaskId.value = null
    activeMaskId.value = maskId
    selectedVertices.value = vertices
  }

  function selectVertex(index: number, additive: boolean): void {
    if (!additive) selectedVertices.value = [index]
    else if (selectedVertices.value.includes(index)) selectedVertices.value = selectedVertices.value.filter((each) => each !== index)
    else selectedVertices.value = [...selectedVertices.value, index]
  }

  /** Ends the pen's path where it is (left open, as After Effects leaves it). */
  function finishDrawing(): boolean {
    if (!drawingMaskId.value) return false
    drawingMaskId.value = null
    return true
  }

  /** Delete key with vertices selected: removes them from the path (and every keyframe); a mask left empty goes. */
  function deleteSelectedVertices(): boolean {
    const maskId = activeMaskId.value
    const id = layerId.value
    if (!maskId || !id || selectedVertices.value.length === 0) return false
    const indices = new Set(selectedVertices.value)
    editor.applyToLayer(id, (layer) => {
      const index = layer.masks.findIndex((mask) => mask.id === maskId)
      const mask = layer.masks[index]
      if (!mask) return
      if (deleteVertices(mask.path, indices) === 0) layer.masks.splice(index, 1)
    }, indices.size === 1 ? 'Delete mask vertex' : 'Delete mask vertices')
    selectedVertices.value = []
    drawingMaskId.value = null
    return true
  }

  /** Escape: ends the pen's path, else clears the vertex selection; false when there was neither. */
  function escape(): boolean {
    if (finishDrawing()) return true
    if (selectedVertices.value.length > 0) { selectedVertices.value = []; return true }
    return false
  }

  return { tool, activeMaskId, selectedVertices, drawingMaskId, setTool, cycleShapeTool, activateMask, selectVertex, finishDrawing, deleteSelectedVertices, escape }
})
