import { describe, expect, it } from 'vitest'
import { createLayer, hasDepthContent, layerFeatures, layerProperties } from '../../../shared/editor/ops'
import { createEmptyDocument } from '../../../shared/project'

describe('camera layers show only what a camera has', () => {
  const comp = createEmptyDocument({ name: 'Cameras' }).compositions.main!

  it('offers no masks, blend mode, track matte or 3D switch for a camera', () => {
    expect(layerFeatures('camera')).toEqual({ masks: false, blendMode: false, trackMatte: false, threeDSwitch: false, matteSource: false })
    expect(layerFeatures('solid')).toEqual({ masks: true, blendMode: true, trackMatte: true, threeDSwitch: true, matteSource: true })
    expect(layerFeatures('null').matteSource).toBe(false)
  })

  it('lists position, orientation, rotations and zoom, but no anchor, scale or opacity', () => {
    const camera = createLayer('camera', comp)
    const paths = layerProperties(camera).map((info) => info.path)
    expect(paths).toEqual(['transform.position', 'transform.orientation', 'transform.rotationX', 'transform.rotationY', 'transform.rotation', 'data.zoom'])
    const solid = layerProperties(createLayer('solid', comp)).map((info) => info.path)
    expect(solid).toContain('transform.anchor')
    expect(solid).toContain('transform.scale')
  })
})

describe('depth content', () => {
  const comp = createEmptyDocument({ name: 'Depth' }).compositions.main!
  const ASSET = '00000000-0000-4000-8000-000000000001'

  it('is there only with a visible 3D or depth layer that draws something', () => {
    const solid = createLayer('solid', comp)
    const camera = createLayer('camera', comp)
    expect(hasDepthContent({ layers: [solid, camera] })).toBe(false)
    expect(hasDepthContent({ layers: [{ ...solid, threeD: true }] })).toBe(true)
    expect(hasDepthContent({ layers: [{ ...solid, threeD: true, visible: false }] })).toBe(false)
    expect(hasDepthContent({ layers: [createLayer('depth', comp, { assetId: ASSET, depthAssetId: ASSET })] })).toBe(true)
    expect(hasDepthContent({ layers: [{ ...createLayer('null', comp), threeD: true }] })).toBe(false)
  })
})
