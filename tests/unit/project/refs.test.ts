import { describe, expect, it } from 'vitest'
import { collectAssetIds, createEmptyDocument, projectDocumentSchema } from '../../../shared/project'
import { AUDIO_ASSET, DEPTH_COLOR_ASSET, DEPTH_MAP_ASSET, IMAGE_ASSET, VIDEO_ASSET, richDocument } from './documents'

describe('collectAssetIds', () => {
  it('lists each referenced asset once, including depth maps and nested compositions', () => {
    const doc = projectDocumentSchema.parse(richDocument())
    expect(collectAssetIds(doc)).toEqual([IMAGE_ASSET, VIDEO_ASSET, AUDIO_ASSET, DEPTH_COLOR_ASSET, DEPTH_MAP_ASSET])
  })

  it('is empty for a document without media', () => {
    expect(collectAssetIds(createEmptyDocument({ name: 'Empty' }))).toEqual([])
  })
})
