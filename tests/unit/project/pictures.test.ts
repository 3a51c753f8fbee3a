import { describe, expect, it } from 'vitest'
import { createEmptyDocument, projectDocumentSchema } from '../../../shared/project'
import { layerPictures } from '../../../shared/project/pictures'
import { DEPTH_COLOR_ASSET, DEPTH_MAP_ASSET, IMAGE_ASSET, VIDEO_ASSET, richDocument } from './documents'

describe('layerPictures', () => {
  const doc = projectDocumentSchema.parse(richDocument())

  it('offers image layers and both pictures of depth layers for an image, main composition first', () => {
    expect(layerPictures(doc, 'image').map((p) => [p.compositionId, p.layerId, p.assetId, p.role])).toEqual([
      ['main', 'logo', IMAGE_ASSET, 'picture'],
      ['main', 'depth', DEPTH_COLOR_ASSET, 'picture'],
      ['main', 'depth', DEPTH_MAP_ASSET, 'depth map'],
      ['inner', 'img', IMAGE_ASSET, 'picture'],
    ])
  })

  it('offers video layers for a video, with their names and compositions', () => {
    expect(layerPictures(doc, 'video')).toEqual([{ compositionId: 'main', compositionName: 'Main', layerId: 'clip', layerName: 'Layer', assetId: VIDEO_ASSET, role: 'picture' }])
  })

  it('lists the main composition first even when it is not first in the document', () => {
    const input = richDocument()
    input.compositions = { inner: input.compositions.inner!, main: input.compositions.main! }
    expect(layerPictures(projectDocumentSchema.parse(input), 'image')[0]!.compositionId).toBe('main')
  })

  it('is empty for a project without media', () => {
    expect(layerPictures(createEmptyDocument({ name: 'Empty' }), 'image')).toEqual([])
  })
})
