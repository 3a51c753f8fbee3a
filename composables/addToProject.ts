import { addAssetLayer } from '~~/shared/editor/ops'
import { assetDuration, assetSize } from '~/composables/editor/asset-drag'

/**
 * Adds an asset (an image or video) to a project's main composition as a layer at the asset's
 * size: reads the project, adds the layer, saves with the revision it read. A save that lost a
 * race (CONFLICT) reads the project again and retries once; a second conflict is thrown.
 */
export function useAddToProject() {
  const { $trpc } = useNuxtApp()
  return async (projectId: string, assetId: string): Promise<{ projectId: string; projectName: string; layerName: string }> => {
    const asset = await $trpc.assets.get.query({ id: assetId })
    if (asset.kind !== 'image' && asset.kind !== 'video') throw new Error(`A ${asset.kind} asset cannot be placed as a picture layer.`)
    const size = assetSize(asset)
    const placed = { id: asset.id, name: asset.name, kind: asset.kind, width: size?.width, height: size?.height, durationSeconds: assetDuration(asset) }
    for (let attempt = 0; ; attempt++) {
      const project = await $trpc.projects.get.query({ id: projectId })
      const document = structuredClone(project.document)
      const layer = addAssetLayer(document, placed)
      try {
        await $trpc.projects.save.mutate({ id: projectId, revision: project.revision, document })
        return { projectId, projectName: project.name, layerName: layer.name }
      } catch (error) {
        if (attempt === 0 && errorCode(error) === 'CONFLICT') continue
        throw error
      }
    }
  }
}
