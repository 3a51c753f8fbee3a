import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors'
import { type Layer, type LayerOfKind, importLegacyProject, parseDocument, projectDocumentSchema } from '../../../shared/project'

const fixture = (): unknown => JSON.parse(readFileSync(new URL('./fixtures/legacy-project.json', import.meta.url), 'utf8'))

function layerOf<K extends Layer['kind']>(layers: Layer[] | undefined, id: string, kind: K): LayerOfKind<K> {
  const layer = layers?.find((l) => l.id === id)
  expect(layer?.kind).toBe(kind)
  return layer as LayerOfKind<K>
}

describe('importLegacyProject with a realistic original project', () => {
  const { document, warnings, name } = importLegacyProject(fixture())
  const main = document.compositions.comp_main
  const badge = document.compositions.comp_badge

  it('produces a valid document that survives a JSON round trip', () => {
    expect(projectDocumentSchema.safeParse(document).success).toBe(true)
    expect(parseDocument(JSON.parse(JSON.stringify(document))).document).toEqual(document)
    expect(name).toBe('Product Spin')
    expect(document.mainCompositionId).toBe('comp_main')
  })

  it('keeps valid settings and rounds sizes to multiples of 8', () => {
    expect(main).toMatchObject({ name: 'Main', width: 1000, height: 576, fps: 16, frameCount: 81, backgroundColor: '#1a1a1a' })
    expect(main?.markers).toEqual([{ frame: 40, label: 'drop', color: '#ff0000' }])
    expect(badge).toMatchObject({ width: 1032, height: 584, fps: 24, frameCount: 48, backgroundColor: '#00000000' })
  })

  it('maps layer kinds, drops unsupported ones and keeps parents of others as null layers', () => {
    expect(main?.layers.map((l) => [l.id, l.kind])).toEqual([
      ['layer_cam', 'camera'],
      ['layer_rig', 'null'],
      ['layer_title', 'text'],
      ['layer_photo', 'null'],
      ['layer_backdrop', 'solid'],
      ['layer_depth', 'null'],
      ['layer_badge', 'nestedComposition'],
      ['layer_grade', 'adjustment'],
      ['layer_model', 'null'],
    ])
    expect(badge?.layers.map((l) => [l.id, l.kind])).toEqual([['layer_star', 'shape'], ['layer_loop', 'null']])
    expect(layerOf(main?.layers, 'layer_photo', 'null')).toMatchObject({ parentId: 'layer_model', outPoint: 81 })
    expect(layerOf(main?.layers, 'layer_photo', 'null').transform.opacity.value).toBe(90)
    expect(layerOf(main?.layers, 'layer_model', 'null').transform.rotationY.keyframes.map((k) => k.value)).toEqual([0, 360])
  })

  it('converts keyframes: sorted, easing names, bezier handles as speed and influence, spatial tangents', () => {
    const rig = layerOf(main?.layers, 'layer_rig', 'null')
    expect(rig.locked).toBe(true)
    expect(rig.transform.position).toEqual({
      value: [0, 0, 0],
      keyframes: [
        { id: 'kf1', frame: 0, value: [0, 0, 0], interpolation: 'bezier', outHandle: { speed: 5, influence: 50 } },
        { id: 'kf3', frame: 20, value: [250, 40, 0], interpolation: 'hold', spatialIn: [-30, 0, 0], spatialOut: [30, 0, 0] },
        { id: 'kf2', frame: 40, value: [500, 0, 0], interpolation: 'bezier', easing: 'cubicInOut', inHandle: { speed: 2, influence: 50 } },
      ],
    })
    const title = layerOf(main?.layers, 'layer_title', 'text')
    expect(title.transform.opacity.keyframes[1]).toMatchObject({ frame: 24, value: 100, interpolation: 'bezier', easing: 'cubicOut' })
    expect(title).toMatchObject({ parentId: 'layer_rig', inPoint: 8, outPoint: 73 })
    expect(title.data).toEqual({
      text: 'NEW', fontFamily: 'Inter', fontSize: 72, fontWeight: 700, fill: '#ffffff',
      stroke: { color: '#000000', width: 2 }, align: 'center', lineHeight: 1.1, letterSpacing: 4,
    })
  })

  it('maps the camera, masks, track matte, blend mode and effects', () => {
    const cam = layerOf(main?.layers, 'layer_cam', 'camera')
    expect(cam.data.cameraType).toBe('twoNode')
    expect(cam.data.fov).toBe(50)
    expect(cam.data.zoom.value).toBeCloseTo(288 / Math.tan((25 * Math.PI) / 180), 6)
    expect(cam.data.pointOfInterest.value).toEqual([500, 288, 0])
    expect(cam.data.depthOfField).toEqual({ enabled: true, focusDistance: 800, aperture: 2.8 })
    expect(cam.transform.position.value).toEqual([500, 288, -1500])

    const backdrop = layerOf(main?.layers, 'layer_backdrop', 'solid')
    expect(backdrop).toMatchObject({ blendMode: 'softLight', solo: true, trackMatte: { mode: 'lumaInverted', layerId: 'layer_title' } })
    expect(backdrop.data).toEqual({ color: '#336699', width: 1000, height: 576 })
    expect(backdrop.masks).toHaveLength(1)
    expect(backdrop.masks[0]).toMatchObject({ id: 'mask_1', mode: 'subtract', inverted: true })
    expect(backdrop.masks[0]?.path.value.vertices[1]).toEqual({ point: [1000, 0], inTangent: [-20, 0], outTangent: [0, 0] })
    expect(backdrop.masks[0]?.feather.value).toEqual([10, 10])
    expect(backdrop.masks[0]?.opacity.value).toBe(75)
    expect(backdrop.effects.map((e) => e.type)).toEqual(['gaussian-blur'])
    expect(backdrop.effects[0]?.params.blurriness?.keyframes.map((k) => [k.frame, k.value])).toEqual([[0, 0], [20, 12]])

    const grade = layerOf(main?.layers, 'layer_grade', 'adjustment')
    expect(grade.effects.map((e) => [e.type, e.enabled, Object.keys(e.params)])).toEqual([
      ['tint', false, ['map_black_to', 'map_white_to', 'amount_to_tint']],
      ['curves', true, ['channel']],
    ])
    expect(grade.effects[0]?.params.map_white_to?.value).toBe('#fff0c8')

    const nested = layerOf(main?.layers, 'layer_badge', 'nestedComposition')
    expect(nested).toMatchObject({ blendMode: 'screen', parentId: null, data: { compositionId: 'comp_badge' } })
    expect(nested.transform.scale.value).toEqual([50, 50, 100])
  })

  it('flattens shape groups and applies their fill and stroke', () => {
    const shapes = layerOf(badge?.layers, 'layer_star', 'shape').data.shapes
    expect(shapes.map((s) => [s.type, s.name, s.fill, s.stroke])).toEqual([
      ['polygon', 'Star 1', { color: '#ffc800', opacity: 100 }, { color: '#000000', width: 4, opacity: 50 }],
      ['rectangle', 'Plate', { color: '#202020', opacity: 80 }, null],
    ])
    const [star, plate] = shapes
    expect(star?.type === 'polygon' && [star.points, star.outerRadius.value, star.innerRadius?.value]).toEqual([5, 100, 40])
    expect(plate?.type === 'rectangle' && [plate.size.value, plate.roundness.value, plate.position.value]).toEqual([[300, 120], 12, [0, 160]])
  })

  it('explains everything it could not carry over', () => {
    expect(warnings).toEqual([
      'Composition "Main": ComfyUI workflow mapping (workflowId, inputs, outputs) is not imported.',
      'Layer "Rig" (control) in composition "Main": easing "easeInOutQuart" on position is not available; using "cubicInOut".',
      'Layer "Rig" (control) in composition "Main": expression "jitter" on rotation is not supported; dropped.',
      'Layer "Product" (image) in composition "Main": its media ("product.png") must be re-uploaded; kept as a null layer.',
      'Layer "Backdrop" (solid) in composition "Main": mask "Mask 2" is disabled; dropped.',
      'Layer "Backdrop" (solid) in composition "Main": effect "Mesh Deform" (mesh-deform) is not supported; dropped.',
      'Layer "Sparks" (particles) in composition "Main": particle layers are not supported; dropped.',
      'Layer "Depth Helper" (depth) in composition "Main": its media ("product_depth.png") must be re-uploaded; kept as a null layer.',
      'Layer "Grade" (effectLayer) in composition "Main": effect "Curves" parameter "curve_points" has no supported value; dropped.',
      'Layer "Turntable" (model) in composition "Main": 3D model layers are not supported; kept as a null layer because other layers are parented to it.',
      'Layer "Key Light" (light) in composition "Main": light layers are not supported; dropped.',
      'Layer "Depth Helper" (depth) in composition "Main": track matte layer "Sparks" was dropped; matte removed.',
      'Layer "Badge" (nestedComp) in composition "Main": parent "layer_missing" is not in this composition; parent cleared.',
      'Composition "Badge": width 1030 is not a multiple of 8; rounded to 1032.',
      'Composition "Badge": height 582 is not a multiple of 8; rounded to 584.',
      'Layer "Badge Shape" (shape) in composition "Badge": shape features "trimPaths", "gradientFill" are not supported; dropped.',
      'Layer "Loop back" (nestedComp) in composition "Badge": nesting "Main" would make "Badge" contain itself; kept as a null layer.',
    ])
  })
})

function rejection(raw: unknown): string {
  try {
    importLegacyProject(raw)
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('BAD_REQUEST')
    return (error as AppError).message
  }
  throw new Error('expected importLegacyProject to throw')
}

describe('importLegacyProject with other input', () => {
  it('rejects files that are not original Lattice projects', () => {
    const notProject = 'This file is not an original Lattice project (expected "version": "1.0.0" and "compositions"); pick the project .json file.'
    expect(rejection(null)).toBe(notProject)
    expect(rejection({ version: '1.0.0' })).toBe(notProject)
    expect(rejection({ nodes: [], links: [] })).toBe(notProject)
    expect(rejection({ version: '2.0.0', compositions: {} })).toBe(
      'Original Lattice project version "2.0.0" is not supported; only 1.x projects can be imported.',
    )
    expect(rejection({ version: '1.0.0', compositions: {} })).toBe('This Lattice project has no compositions to import.')
    expect(rejection({ schemaVersion: 2, compositions: {} })).toBe(
      'This file is already a Lattice project document; open it instead of importing it.',
    )
  })

  it('reads the pre-multi-composition layout and repairs odd values', () => {
    const { document, warnings, name } = importLegacyProject({
      version: '1.0.0',
      meta: {},
      composition: { width: 20000, height: 720, fps: -1, frameCount: 10 },
      layers: [
        {
          id: 'a', name: 'Plate', type: 'solid', blendMode: 'color-dodge', inPoint: 5, outPoint: 2, data: { color: '#abc' },
          transform: {
            rotation: {
              value: 0,
              keyframes: [
                { frame: 4, value: 1, interpolation: 'easeInSine' },
                { frame: 4, value: 2, interpolation: 'wobble' },
                { frame: -1, value: 3 },
              ],
            },
          },
        },
        { id: 'a', name: 'Copy', type: 'control', parentId: 'a', blendMode: 'dissolve' },
      ],
    })
    expect(name).toBe('Imported project')
    const comp = document.compositions.main
    expect(comp).toMatchObject({ width: 8192, height: 720, fps: 16, frameCount: 10 })
    expect(comp?.layers.map((l) => [l.id, l.kind, l.blendMode, l.parentId])).toEqual([
      ['a', 'solid', 'colorDodge', null],
      ['a-2', 'null', 'normal', 'a'],
    ])
    const plate = comp?.layers[0]
    expect(plate?.kind === 'solid' && plate.data).toEqual({ color: '#aabbcc', width: 8192, height: 720 })
    expect(plate).toMatchObject({ inPoint: 5, outPoint: 6 })
    expect(plate?.transform.rotation.keyframes).toEqual([{ id: 'rotation-0', frame: 4, value: 2, interpolation: 'linear' }])
    expect(warnings).toEqual([
      'Composition "Main": width 20000 is outside 8–8192; using 8192.',
      'Composition "Main": frame rate -1 is not usable; using 16.',
      'Layer "Copy" (control) in composition "Main": duplicate layer id "a"; renamed to "a-2".',
      'Layer "Plate" (solid) in composition "Main": out point 2 is before in point 5; shortened to one frame.',
      'Layer "Plate" (solid) in composition "Main": 1 unreadable keyframe(s) on rotation dropped.',
      'Layer "Plate" (solid) in composition "Main": 1 keyframe(s) on rotation shared a frame; kept the last.',
      'Layer "Plate" (solid) in composition "Main": interpolation "wobble" on rotation is not supported; using linear.',
      'Layer "Copy" (control) in composition "Main": blend mode "dissolve" is not supported; using normal.',
    ])
  })
})
