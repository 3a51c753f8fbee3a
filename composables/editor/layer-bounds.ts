import { layerContentBounds, type Bounds } from '~~/shared/editor/ops'
import type { LayerState } from '~~/shared/engine'
import type { Layer } from '~~/shared/project'
import type { AssetInfo } from '~/composables/api'
import { assetSize } from '~/composables/editor/asset-drag'
import { shapeLayerBounds } from '~/renderer/shape-raster'
import { textBounds } from '~/renderer/text-raster'

/**
 * A layer's content in its own space: solids and nested compositions at their size, text and
 * shapes as drawn at the evaluated frame, pictures and videos at their asset's size (fetched once
 * when the asset is not in the library's current page). The transform handles and the mask
 * presets ("fits layer") both use it, so a mask fits the box the handles draw.
 */
export function useLayerBounds() {
  const editor = useEditorStore()
  const assets = useAssetsStore()
  const { $trpc } = useNuxtApp()
  const fetched = reactive<Record<string, AssetInfo | null>>({})

  function assetFor(id: string): AssetInfo | null {
    const known = assets.items.find((each) => each.id === id) ?? fetched[id]
    if (known) return known
    if (!(id in fetched)) {
      fetched[id] = null
      $trpc.assets.get.query({ id }).then((asset) => { fetched[id] = asset }, () => {})
    }
    return null
  }

  /** The content bounds, or null when they are not known yet (an asset still loading) or have no size. */
  function contentBoundsOf(layer: Layer, state: LayerState | undefined): Bounds | null {
    const known = layerContentBounds(layer, editor.doc ?? undefined)
    if (known) return known
    if (state && (state.kind === 'text' || state.kind === 'shape')) {
      return state.kind === 'text' ? textBounds(state.data) : shapeLayerBounds(state.data)
    }
    if (layer.kind === 'image' || layer.kind === 'video' || layer.kind === 'depth') {
      const size = assetSize(assetFor(layer.data.assetId))
      if (size) return { x: 0, y: 0, ...size }
    }
    return null
  }

  return { contentBoundsOf }
}
