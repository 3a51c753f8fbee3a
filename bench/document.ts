/**
 * A large, valid project document for the latency benchmark: many layers of every common kind,
 * animated transforms, masks, effects, parenting, track mattes and a nested composition.
 */
import { createEmptyDocument, MAIN_COMPOSITION_ID, parseDocument, type LayerInput, type ProjectDocument } from '../shared/project'

const FRAMES = 81

function keyframes<T>(count: number, value: (k: number) => T, id: string) {
  const step = Math.max(1, Math.floor((FRAMES - 1) / Math.max(1, count - 1)))
  return Array.from({ length: count }, (_, k) => ({
    id: `${id}-k${k}`,
    frame: Math.min(FRAMES - 1, k * step),
    value: value(k),
    interpolation: k % 3 === 0 ? ('bezier' as const) : ('linear' as const),
    ...(k % 3 === 0 ? { inHandle: { speed: 0, influence: 33.3 }, outHandle: { speed: 1.5, influence: 66.6 } } : {}),
    ...(k % 5 === 0 ? { easing: 'cubicInOut' as const } : {}),
  })).filter((kf, k, all) => k === 0 || kf.frame > all[k - 1]!.frame)
}

function vertices(count: number, radius: number): { point: [number, number]; inTangent: [number, number]; outTangent: [number, number] }[] {
  return Array.from({ length: count }, (_, v) => {
    const a = (v / count) * Math.PI * 2
    return { point: [Math.cos(a) * radius, Math.sin(a) * radius], inTangent: [-Math.sin(a) * 8, Math.cos(a) * 8], outTangent: [Math.sin(a) * 8, -Math.cos(a) * 8] }
  })
}

/** Layer `i` of a composition; every tenth starts a new parent chain. */
function layerAt(i: number, idPrefix: string): LayerInput {
  const id = `${idPrefix}${i}`
  const common = {
    id,
    name: `Layer ${i}`,
    inPoint: 0,
    outPoint: FRAMES,
    parentId: i % 10 === 0 ? null : `${idPrefix}${i - 1}`,
    blendMode: (['normal', 'multiply', 'screen', 'overlay'] as const)[i % 4],
    threeD: i % 7 === 0,
    transform: {
      position: { value: [640, 360, 0] as [number, number, number], keyframes: keyframes(24, (k) => [640 + k * 3.25, 360 - k * 1.5, k * 0.5] as [number, number, number], `${id}-pos`) },
      scale: { value: [100, 100, 100] as [number, number, number], keyframes: keyframes(8, (k) => [100 + k, 100 + k, 100] as [number, number, number], `${id}-scl`) },
      rotation: { value: 0, keyframes: keyframes(12, (k) => k * 7.5, `${id}-rot`) },
      opacity: { value: 100, keyframes: keyframes(6, (k) => 100 - k * 10, `${id}-op`) },
    },
    masks: i % 4 === 0
      ? [{ id: `${id}-m0`, name: 'Roto', mode: 'add' as const, path: { value: { closed: true, vertices: vertices(16, 120) } }, feather: { value: [4, 4] as [number, number] } }]
      : [],
    trackMatte: i % 9 === 5 ? { mode: 'alpha' as const, layerId: `${idPrefix}${i - 1}` } : {},
    effects: i % 3 === 0
      ? [{ id: `${id}-fx0`, type: 'gaussianBlur', params: { radius: { value: 4, keyframes: keyframes(4, (k) => 4 + k, `${id}-blur`) }, repeatEdges: { value: true } } }]
      : [],
  }
  switch (i % 5) {
    case 0: return { ...common, kind: 'solid', data: { color: '#336699', width: 1280, height: 720 } }
    case 1: return { ...common, kind: 'text', data: { text: `Title card ${i}: the quick brown fox jumps over the lazy dog`, fontSize: 64, align: 'center' } }
    case 2: return { ...common, kind: 'shape', data: { shapes: [
      { type: 'rectangle', size: { value: [200, 120] }, roundness: { value: 12 }, stroke: { color: '#000000', width: 2 } },
      { type: 'path', path: { value: { closed: true, vertices: vertices(12, 80) } } },
    ] } }
    case 3: return { ...common, kind: 'null' }
    default: return { ...common, kind: 'adjustment' }
  }
}

function documentWith(layerCount: number): ProjectDocument {
  const base = createEmptyDocument({ name: 'Benchmark shot', width: 1280, height: 720, fps: 16, frameCount: FRAMES })
  const main = base.compositions[MAIN_COMPOSITION_ID]!
  const pre = { id: 'pre', name: 'Precomp', width: 1280, height: 720, fps: 16, frameCount: FRAMES, layers: Array.from({ length: 20 }, (_, i) => layerAt(i, 'pre-')) }
  const layers: LayerInput[] = [
    { id: 'nested', kind: 'nestedComposition', outPoint: FRAMES, data: { compositionId: 'pre' } },
    ...Array.from({ length: layerCount }, (_, i) => layerAt(i, 'L')),
  ]
  const raw = { ...base, compositions: { [MAIN_COMPOSITION_ID]: { ...main, layers }, pre } }
  // Validated like the server does: defaults filled in, so the size measured is what is stored.
  return parseDocument(JSON.parse(JSON.stringify(raw))).document
}

export interface BenchDocument {
  document: ProjectDocument
  /** UTF-8 bytes of the document as JSON. */
  bytes: number
  layers: number
}

/** A valid document of about `targetBytes` (a little over) of JSON. */
export function buildLargeDocument(targetBytes: number): BenchDocument {
  const size = (doc: ProjectDocument) => Buffer.byteLength(JSON.stringify(doc))
  const sampleLayers = 50
  const perLayer = (size(documentWith(sampleLayers)) - size(documentWith(0))) / sampleLayers
  let layers = Math.ceil((targetBytes - size(documentWith(0))) / perLayer)
  let document = documentWith(layers)
  while (size(document) < targetBytes) document = documentWith(++layers)
  return { document, bytes: size(document), layers: layers + 21 }
}
