import type { ProjectDocument } from './schema'

/** One picture a project's layer shows, by the asset it references. */
export interface LayerPicture {
  compositionId: string
  compositionName: string
  layerId: string
  layerName: string
  assetId: string
  /** `depth map`: the grey depth image of a depth layer rather than its colour image. */
  role: 'picture' | 'depth map'
}

/**
 * The pictures of a project's layers that can stand for an asset of `kind`: image layers (and
 * the colour image and depth map of depth layers) for images, video layers for videos. The main
 * composition comes first, then the others in document order; layers top to bottom.
 */
export function layerPictures(document: ProjectDocument, kind: 'image' | 'video'): LayerPicture[] {
  const main = document.compositions[document.mainCompositionId]
  const compositions = [...(main ? [main] : []), ...Object.values(document.compositions).filter((comp) => comp.id !== document.mainCompositionId)]
  const pictures: LayerPicture[] = []
  for (const comp of compositions) {
    for (const layer of comp.layers) {
      const base = { compositionId: comp.id, compositionName: comp.name, layerId: layer.id, layerName: layer.name }
      if (layer.kind === kind) pictures.push({ ...base, assetId: layer.data.assetId, role: 'picture' })
      else if (layer.kind === 'depth' && kind === 'image') {
        pictures.push({ ...base, assetId: layer.data.assetId, role: 'picture' })
        pictures.push({ ...base, assetId: layer.data.depthAssetId, role: 'depth map' })
      }
    }
  }
  return pictures
}
