import type { Asset } from '../../db/generated/client'

/** `file`: an archive or data file an export made (a zipped sequence, a camera trajectory). */
export type AssetKind = 'image' | 'video' | 'audio' | 'file'
export type AssetStatus = 'processing' | 'ready' | 'failed'

/** An asset as clients see it; file and thumbnail paths are relative to the app's base URL. */
export interface AssetInfo {
  id: string
  name: string
  kind: AssetKind
  mime: string
  size: number
  hash: string
  status: AssetStatus
  error: string | null
  metadata: Record<string, unknown>
  hasThumbnail: boolean
  createdAt: Date
  fileUrl: string
  thumbnailUrl: string | null
}

export function toAssetInfo(row: Asset): AssetInfo {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as AssetKind,
    mime: row.mime,
    size: Number(row.size),
    hash: row.hash,
    status: row.status as AssetStatus,
    error: row.error,
    metadata: row.metadata as Record<string, unknown>,
    hasThumbnail: row.hasThumbnail,
    createdAt: row.createdAt,
    fileUrl: `/api/assets/${row.id}/file`,
    thumbnailUrl: row.hasThumbnail ? `/api/assets/${row.id}/thumbnail` : null,
  }
}

/** Keeps only a readable base name: no folders, control characters or absurd lengths. */
export function cleanAssetName(raw: string | undefined, fallback: string): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 255)
  return cleaned || fallback
}
