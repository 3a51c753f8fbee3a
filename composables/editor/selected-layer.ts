import { evaluateComposition } from '~~/shared/engine'
import type { Layer } from '~~/shared/project'

/**
 * The layer the viewport's handles work on: the one selected layer, when it is 2D, unlocked, not
 * of an `excluded` kind and within its time range at the current frame, with its evaluated state
 * there. Null otherwise. Recomputed on every document change and frame.
 */
export function useSelectedLayerState(excluded: ReadonlySet<Layer['kind']>) {
  const editor = useEditorStore()
  return computed(() => {
    void editor.version
    const comp = editor.composition
    const doc = editor.doc
    const layer = editor.selectedLayers.length === 1 ? editor.selectedLayers[0] : null
    if (!comp || !doc || !layer || layer.threeD || layer.locked || excluded.has(layer.kind)) return null
    const state = evaluateComposition(toRaw(doc), comp.id, editor.frame).layers.find((each) => each.id === layer.id)
    return state?.inRange ? { layer, comp, state } : null
  })
}
