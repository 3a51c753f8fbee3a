import fc from 'fast-check'
import { BLEND_MODES, EASINGS, INTERPOLATIONS, type LayerKind, MASK_MODES, TRACK_MATTE_MODES } from '../../../shared/project'

/** JSON turns -0 into 0, so generated numbers avoid -0 to keep round trips exact. */
const noNegativeZero = (x: number) => (x === 0 ? 0 : x)
export const real = (min = -1e6, max = 1e6) => fc.double({ min, max, noNaN: true }).map(noNegativeZero)
const positive = (max = 1e4) => real(0.001, max)
const vec2 = fc.tuple(real(), real())
const vec3 = fc.tuple(real(), real(), real())
const percent = real(0, 100)
const color = fc.stringMatching(/^#[0-9a-f]{6}(?:[0-9a-f]{2})?$/)
const text = fc.string({ maxLength: 12 })
const id = fc.string({ minLength: 1, maxLength: 8 })
const uuid = fc.uuid()

const handle = fc.record({ speed: real(), influence: percent })

function keyframe<T>(value: fc.Arbitrary<T>) {
  return fc.record(
    {
      id,
      frame: real(0, 1e5),
      value,
      interpolation: fc.constantFrom(...INTERPOLATIONS),
      easing: fc.constantFrom(...EASINGS),
      inHandle: handle,
      outHandle: handle,
      spatialIn: vec3,
      spatialOut: vec3,
    },
    { requiredKeys: ['id', 'frame', 'value', 'interpolation'] },
  )
}

/** Keyframes with distinct frames, sorted, as the schema requires. */
export function animatable<T>(value: fc.Arbitrary<T>) {
  return fc.record({
    value,
    keyframes: fc
      .uniqueArray(keyframe(value), { selector: (k) => k.frame, maxLength: 3 })
      .map((ks) => ks.sort((a, b) => a.frame - b.frame)),
  })
}

const path = fc.record({
  closed: fc.boolean(),
  vertices: fc.array(fc.record({ point: vec2, inTangent: vec2, outTangent: vec2 }), { maxLength: 3 }),
})

const transform = fc.record({
  anchor: animatable(vec3),
  position: animatable(vec3),
  scale: animatable(vec3),
  rotation: animatable(real()),
  rotationX: animatable(real()),
  rotationY: animatable(real()),
  orientation: animatable(vec3),
  opacity: animatable(percent),
})

const mask = fc.record({
  id,
  name: text,
  mode: fc.constantFrom(...MASK_MODES),
  inverted: fc.boolean(),
  path: animatable(path),
  feather: animatable(fc.tuple(real(0), real(0))),
  expansion: animatable(real()),
  opacity: animatable(percent),
})

const effect = fc.record({
  id,
  type: id,
  enabled: fc.boolean(),
  params: fc.dictionary(
    fc.constantFrom('amount', 'center', 'mode', 'invert'),
    animatable(fc.oneof(real(), text, fc.boolean(), vec2, vec3)),
    { maxKeys: 2 },
  ),
})

const paint = {
  fill: fc.option(fc.record({ color, opacity: percent }), { nil: null }),
  stroke: fc.option(fc.record({ color, width: real(0, 100), opacity: percent }), { nil: null }),
}
const shape = fc.oneof(
  fc.record({ type: fc.constant('rectangle'), name: text, ...paint, position: animatable(vec2), size: animatable(vec2), roundness: animatable(real(0)) }),
  fc.record({ type: fc.constant('ellipse'), name: text, ...paint, position: animatable(vec2), size: animatable(vec2) }),
  fc.record({
    type: fc.constant('polygon'), name: text, ...paint, position: animatable(vec2), points: fc.integer({ min: 3, max: 100 }),
    outerRadius: animatable(real(0)), innerRadius: fc.option(animatable(real(0)), { nil: null }), rotation: animatable(real()),
  }),
  fc.record({ type: fc.constant('path'), name: text, ...paint, path: animatable(path) }),
)

const timeRemap = animatable(real(0))
const optionalTimeRemap = fc.option(timeRemap, { nil: undefined }).map((t) => (t ? { timeRemap: t } : {}))

type LayerBody = { kind: LayerKind; data?: unknown }

/** Per-kind `{ kind, data }`; nested compositions point only at later compositions, so never loop. */
export function layerBody(laterCompositions: string[]): fc.Arbitrary<LayerBody> {
  const kinds: fc.Arbitrary<LayerBody>[] = [
    fc.record({ kind: fc.constant('image'), data: fc.record({ assetId: uuid }) }),
    fc.record({
      kind: fc.constant('video'),
      data: fc.tuple(uuid, fc.boolean(), positive(100), optionalTimeRemap).map(([assetId, loop, playbackRate, remap]) => ({ assetId, loop, playbackRate, ...remap })),
    }),
    fc.record({ kind: fc.constant('audio'), data: fc.record({ assetId: uuid, volume: animatable(percent) }) }),
    fc.record({ kind: fc.constant('solid'), data: fc.record({ color, width: fc.integer({ min: 1, max: 8192 }), height: fc.integer({ min: 1, max: 8192 }) }) }),
    fc.record({
      kind: fc.constant('text'),
      data: fc.record({
        text, fontFamily: id, fontSize: positive(), fontWeight: fc.integer({ min: 1, max: 1000 }), fill: color,
        stroke: fc.option(fc.record({ color, width: positive(50) }), { nil: null }), align: fc.constantFrom('left', 'center', 'right'),
        lineHeight: positive(10), letterSpacing: real(),
      }),
    }),
    fc.record({ kind: fc.constant('shape'), data: fc.record({ shapes: fc.array(shape, { maxLength: 3 }) }) }),
    fc.record({
      kind: fc.constant('camera'),
      data: fc.record(
        {
          cameraType: fc.constantFrom('oneNode', 'twoNode'), zoom: animatable(positive()), fov: real(0.1, 179.9),
          pointOfInterest: animatable(vec3), depthOfField: fc.record({ enabled: fc.boolean(), focusDistance: real(0), aperture: real(0) }),
        },
        { requiredKeys: ['cameraType', 'zoom', 'pointOfInterest', 'depthOfField'] },
      ),
    }),
    fc.record({ kind: fc.constant('null') }),
    fc.record({ kind: fc.constant('adjustment') }),
    fc.record({
      kind: fc.constant('depth'),
      data: fc.record({
        assetId: uuid, depthAssetId: uuid, displacement: animatable(real()), invert: fc.boolean(),
        nearFar: fc.tuple(real(0, 100), positive(1000)).map(([near, span]) => [near, near + span] as [number, number]),
      }),
    }),
  ]
  if (laterCompositions.length > 0) {
    kinds.push(
      fc.record({
        kind: fc.constant('nestedComposition'),
        data: fc.tuple(fc.constantFrom(...laterCompositions), optionalTimeRemap).map(([compositionId, remap]) => ({ compositionId, ...remap })),
      }),
    )
  }
  return fc.oneof(...kinds)
}

/** Everything but references; `parentPick`/`mattePick` become valid ids once the list is known. */
export const layerCommon = fc.record({
  name: text,
  visible: fc.boolean(),
  locked: fc.boolean(),
  solo: fc.boolean(),
  shy: fc.boolean(),
  threeD: fc.boolean(),
  inPoint: real(-1000, 1000),
  duration: positive(),
  startTime: real(-1000, 1000),
  blendMode: fc.constantFrom(...BLEND_MODES),
  transform,
  masks: fc.array(mask, { maxLength: 1 }),
  effects: fc.array(effect, { maxLength: 1 }),
  matteMode: fc.constantFrom(...TRACK_MATTE_MODES),
  parentPick: fc.nat(),
  mattePick: fc.nat(),
})

export const marker = fc.record({ frame: real(0, 1e5), label: text, color }, { requiredKeys: ['frame', 'label'] })
export { color, text }

/** Composition `index` of `count`; its layers get parents from earlier layers only (no cycles). */
function composition(index: number, count: number) {
  const later = Array.from({ length: count - index - 1 }, (_, k) => `C${index + 1 + k}`)
  return fc
    .record({
      name: text,
      width: fc.integer({ min: 1, max: 1024 }).map((n) => n * 8),
      height: fc.integer({ min: 1, max: 1024 }).map((n) => n * 8),
      fps: real(0.001, 240),
      frameCount: fc.integer({ min: 1, max: 100_000 }),
      backgroundColor: color,
      markers: fc.array(marker, { maxLength: 2 }),
      layers: fc.array(fc.tuple(layerCommon, layerBody(later)), { maxLength: 5 }),
    })
    .map(({ layers, ...settings }) => ({
      id: `C${index}`,
      ...settings,
      layers: layers.map(([{ duration, parentPick, mattePick, matteMode, ...common }, body], i) => {
        const parent = parentPick % (i + 1)
        const matte = mattePick % layers.length
        return {
          ...common,
          ...body,
          id: `L${i}`,
          outPoint: common.inPoint + duration,
          parentId: parent === i ? null : `L${parent}`,
          trackMatte: { mode: matteMode, layerId: matte === i ? null : `L${matte}` },
        }
      }),
    }))
}

/** Valid current-version documents in canonical form (every default present). */
export const projectDocument = fc.integer({ min: 1, max: 3 }).chain((count) =>
  fc.tuple(...Array.from({ length: count }, (_, i) => composition(i, count))).map((compositions) => ({
    schemaVersion: 2 as const,
    mainCompositionId: 'C0',
    compositions: Object.fromEntries(compositions.map((c) => [c.id, c])),
  })),
)
