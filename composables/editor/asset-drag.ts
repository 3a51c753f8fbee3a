import type { AssetInfo } from '~/composables/api'

/** The dataTransfer type that carries an asset id from the Assets panel to the viewport. */
export const ASSET_DRAG_TYPE = 'application/x-lattice-asset'

/** An asset's pixel size from its probe metadata, when it has one. */
export function assetSize(asset: Pick<AssetInfo, 'metadata'> | null | undefined): { width: number; height: number } | null {
  const meta = (asset?.metadata ?? {}) as Record<string, unknown>
  const width = Number(meta.width)
  const height = Number(meta.height)
  return Number.isFinite(width) && Number.isFinite(height) && width > 0 && height > 0 ? { width, height } : null
}

/** A clip's length in seconds from its probe metadata, when it has one. */
export function assetDuration(asset: Pick<AssetInfo, 'metadata'> | null | undefined): number | undefined {
  const seconds = Number((asset?.metadata as Record<string, unknown> | undefined)?.durationSeconds)
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined
}
