import type { ProjectDocument } from './schema'

/**
 * Every asset id the document refers to, each once, in order of first use (compositions in
 * record order, layers top to bottom). Used to check ownership and to keep assets from deletion.
 */
export function collectAssetIds(doc: ProjectDocument): string[] {
  const ids = new Set<string>()
  for (const comp of Object.values(doc.compositions)) {
    for (const layer of comp.layers) {
      switch (layer.kind) {
        case 'image':
        case 'video':
        case 'audio':
          ids.add(layer.data.assetId)
          break
        case 'depth':
          ids.add(layer.data.assetId)
          ids.add(layer.data.depthAssetId)
          break
      }
    }
  }
  return [...ids]
}
