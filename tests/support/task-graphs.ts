import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { InferenceSession } from 'onnxruntime-node'
import { modelManifestSchema, type AiTask, type ModelManifest } from '../../shared/ai/manifest'
import type { LoadedModel } from '../../server/ml/types'
import { buildOnnxModel, floats, int64s, type NodeSpec } from './onnx-graph'

/**
 * Tiny stand-ins for the AI task models, with the real models' tensor names and shapes, so the
 * tasks' pre/post-processing (and the manager, routers, downloads) run on real ONNX sessions:
 *
 * - depth (Depth Anything): `pixel_values` [1,3,h,w] → `predicted_depth` [1,h,w] = channel mean, so
 *   brighter comes out nearer (whiter).
 * - matte (BiRefNet): `input_image` [1,3,1024,1024] → `output_image` [1,1,1024,1024] logits =
 *   10 × channel mean: bright = subject after the sigmoid.
 * - SAM encoder: `pixel_values` [1,3,1024,1024] → `image_embeddings` [1,256,64,64] = 16×16 average of
 *   channel 0 on every channel; `image_positional_embeddings` zeros of the same shape.
 * - SAM decoder: `input_points` [1,1,n,2], `input_labels` int64 [1,1,n], the two embeddings, and with
 *   `boxes` `input_boxes` [1,1,4] → `iou_scores` [1,1,3] = (0.7, 0.9, 0.8) and `pred_masks`
 *   [1,1,3,256,256] logits, each 256-cell over 4 px of the 1024 frame:
 *     0: (square around the points labelled ≥ 1, 64 px margin) ∩ (bright: embedding channel 0 > 0)
 *     1: the box (without `boxes`: the same square, so labels 2/3 box corners shape it)
 *     2: the box ∩ bright.
 *   Points labelled 0 or −1 (padding) are left out of the square.
 */

export const SAM_POINT_MARGIN = 64
export const SAM_IOU_SCORES = [0.7, 0.9, 0.8] as const

export function depthGraph(): Uint8Array {
  return buildOnnxModel({
    inputs: [{ name: 'pixel_values', dims: [1, 3, 'height', 'width'] }],
    outputs: [{ name: 'predicted_depth', dims: [1, 'height', 'width'] }],
    nodes: [{ op: 'ReduceMean', inputs: ['pixel_values'], outputs: ['predicted_depth'], attributes: { axes: [1], keepdims: 0 } }],
  })
}

export function birefnetGraph(size = 1024): Uint8Array {
  return buildOnnxModel({
    inputs: [{ name: 'input_image', dims: [1, 3, size, size] }],
    outputs: [{ name: 'output_image', dims: [1, 1, size, size] }],
    nodes: [
      { op: 'ReduceMean', inputs: ['input_image'], outputs: ['mean'], attributes: { axes: [1], keepdims: 1 } },
      { op: 'Mul', inputs: ['mean', 'ten'], outputs: ['output_image'] },
    ],
    initializers: [floats('ten', [10], [])],
  })
}

export function samEncoderGraph(): Uint8Array {
  return buildOnnxModel({
    inputs: [{ name: 'pixel_values', dims: [1, 3, 1024, 1024] }],
    outputs: [
      { name: 'image_embeddings', dims: [1, 256, 64, 64] },
      { name: 'image_positional_embeddings', dims: [1, 256, 64, 64] },
    ],
    nodes: [
      { op: 'Slice', inputs: ['pixel_values', 'c0', 'c1', 'axis1'], outputs: ['red'] },
      { op: 'AveragePool', inputs: ['red'], outputs: ['pooled'], attributes: { kernel_shape: [16, 16], strides: [16, 16] } },
      { op: 'Expand', inputs: ['pooled', 'shape'], outputs: ['image_embeddings'] },
      { op: 'Mul', inputs: ['image_embeddings', 'zero'], outputs: ['image_positional_embeddings'] },
    ],
    initializers: [int64s('c0', [0]), int64s('c1', [1]), int64s('axis1', [1]), int64s('shape', [1, 256, 64, 64]), floats('zero', [0], [])],
  })
}

export function samDecoderGraph(options: { boxes: boolean } = { boxes: true }): Uint8Array {
  const nodes: NodeSpec[] = []
  const node = (op: string, inputs: string[], output: string, attributes?: NodeSpec['attributes']) => {
    nodes.push({ op, inputs, outputs: [output], attributes })
    return output
  }
  // term(lo, hi): min distance inside the rectangle [lo, hi] (each [1,1,2] as x, y) → [1,1,1,256,256].
  let terms = 0
  const term = (lo: string, hi: string) => {
    const t = `t${terms++}`
    const part = (src: string, i: 0 | 1, name: string) => node('Reshape', [node('Slice', [src, `i${i}`, `i${i + 1}`, 'axis2'], `${t}${name}s`), 'scalar5'], `${t}${name}`)
    const lx = part(lo, 0, 'lx')
    const ly = part(lo, 1, 'ly')
    const hx = part(hi, 0, 'hx')
    const hy = part(hi, 1, 'hy')
    const mx = node('Min', [node('Sub', ['gx', lx], `${t}a`), node('Sub', [hx, 'gx'], `${t}b`)], `${t}mx`)
    const my = node('Min', [node('Sub', ['gy', ly], `${t}c`), node('Sub', [hy, 'gy'], `${t}d`)], `${t}my`)
    return node('Min', [mx, my], `${t}`)
  }
  // The square around the points labelled ≥ 1: others are pushed 1e6 away before min/max.
  const labels = node('Cast', ['input_labels'], 'labels_f', { to: 1 })
  const weight = node('Unsqueeze', [node('Clip', [labels, 'zero', 'one'], 'w'), 'axis3'], 'w4')
  const penalty = node('Mul', [node('Sub', ['one', weight], 'notw'), 'big'], 'penalty')
  const lo = node('ReduceMin', [node('Add', ['input_points', penalty], 'pts_lo')], 'lo', { axes: [2], keepdims: 0 })
  const hi = node('ReduceMax', [node('Sub', ['input_points', penalty], 'pts_hi')], 'hi', { axes: [2], keepdims: 0 })
  const square = term(node('Sub', [lo, 'margin'], 'lo_m'), node('Add', [hi, 'margin'], 'hi_m'))
  const box = options.boxes
    ? term(node('Slice', ['input_boxes', 'i0', 'i2', 'axis2'], 'box_lo'), node('Slice', ['input_boxes', 'i2', 'i4', 'axis2'], 'box_hi'))
    : square
  // Bright: embedding channel 0 (positional embeddings added × 0 so the input is used), 64 → 256 nearest.
  const channel0 = node('Slice', ['image_embeddings', 'i0', 'i1', 'axis1'], 'emb0')
  const pos = node('Mul', [node('ReduceMean', ['image_positional_embeddings'], 'pos_mean', { keepdims: 1 }), 'zero'], 'pos0')
  const up = node('Resize', [node('Add', [channel0, pos], 'emb0p'), '', 'scales'], 'emb_up', { mode: 'nearest' })
  const bright = node('Mul', [node('Reshape', [up, 'shape5'], 'emb5'), 'hundred'], 'bright')
  const m0 = node('Min', [square, bright], 'm0')
  const m2 = node('Min', [box, bright], 'm2')
  node('Concat', [m0, box, m2], 'pred_masks', { axis: 2 })
  node('Identity', ['scores'], 'iou_scores')

  const cells = Array.from({ length: 256 }, (_, i) => 4 * i + 2)
  return buildOnnxModel({
    inputs: [
      { name: 'input_points', dims: [1, 1, 'n', 2] },
      { name: 'input_labels', dims: [1, 1, 'n'], type: 'int64' },
      { name: 'image_embeddings', dims: [1, 256, 64, 64] },
      { name: 'image_positional_embeddings', dims: [1, 256, 64, 64] },
      ...(options.boxes ? [{ name: 'input_boxes', dims: [1, 1, 4] }] : []),
    ],
    outputs: [
      { name: 'iou_scores', dims: [1, 1, 3] },
      { name: 'pred_masks', dims: [1, 1, 3, 256, 256] },
    ],
    nodes,
    initializers: [
      floats('zero', [0], []), floats('one', [1], []), floats('big', [1e6], []), floats('hundred', [100], []),
      floats('margin', [SAM_POINT_MARGIN], []),
      floats('gx', cells, [1, 1, 1, 1, 256]), floats('gy', cells, [1, 1, 1, 256, 1]),
      floats('scales', [1, 1, 4, 4]), floats('scores', [...SAM_IOU_SCORES], [1, 1, 3]),
      int64s('i0', [0]), int64s('i1', [1]), int64s('i2', [2]), ...(options.boxes ? [int64s('i4', [4])] : []),
      int64s('axis1', [1]), int64s('axis2', [2]), int64s('axis3', [3]),
      int64s('scalar5', [1, 1, 1, 1, 1]), int64s('shape5', [1, 1, 1, 256, 256]),
    ],
  })
}

/** The sessions (role → graph) and processing a manifest for each stand-in declares. */
export const TASK_GRAPHS = {
  depth: { sessions: { model: { file: 'model.onnx', inputs: ['pixel_values'], outputs: ['predicted_depth'], graph: depthGraph } }, processing: {} },
  matte: { sessions: { model: { file: 'model.onnx', inputs: ['input_image'], outputs: ['output_image'], graph: () => birefnetGraph() } }, processing: {} },
  segment: {
    sessions: {
      encoder: { file: 'vision_encoder.onnx', inputs: ['pixel_values'], outputs: ['image_embeddings', 'image_positional_embeddings'], graph: samEncoderGraph },
      decoder: {
        file: 'prompt_encoder_mask_decoder.onnx',
        inputs: ['input_points', 'input_labels', 'image_embeddings', 'image_positional_embeddings', 'input_boxes'],
        outputs: ['iou_scores', 'pred_masks'],
        graph: () => samDecoderGraph({ boxes: true }),
      },
    },
    processing: {},
  },
} as const

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

/**
 * Writes a stand-in task model's graphs into `dir` and returns a manifest for it (files with their
 * sha256 and size, no URL), for manager/router/e2e tests.
 */
export async function writeTaskModel(dir: string, task: Exclude<AiTask, 'caption'>, id = `test-${task}`): Promise<ModelManifest> {
  const spec = TASK_GRAPHS[task]
  const files = []
  const sessions: Record<string, { file: string; inputs: string[]; outputs: string[] }> = {}
  for (const [role, s] of Object.entries(spec.sessions)) {
    const bytes = s.graph()
    const path = join(dir, s.file)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, bytes)
    files.push({ path: s.file, url: null, sha256: sha256(bytes), size: bytes.byteLength })
    sessions[role] = { file: s.file, inputs: [...s.inputs], outputs: [...s.outputs] }
  }
  return modelManifestSchema.parse({ id, name: `Test ${task}`, task, licence: 'MIT', source: 'https://example.com/test', files, sessions, processing: spec.processing })
}

/** A `LoadedModel` over sessions made straight from graph bytes (or sessions), without the manager. */
export async function loadedModel(
  task: AiTask,
  sessions: Record<string, Uint8Array | InferenceSession>,
  processing: Record<string, unknown> = {},
  id = `test-${task}`,
): Promise<LoadedModel> {
  const made: Record<string, InferenceSession> = {}
  for (const [role, s] of Object.entries(sessions)) made[role] = s instanceof Uint8Array ? await InferenceSession.create(s, { executionProviders: ['cpu'] }) : s
  const manifest = modelManifestSchema.parse({
    id,
    name: id,
    task,
    licence: 'MIT',
    source: 'https://example.com/test',
    files: [{ path: 'model.onnx', url: null, sha256: '0'.repeat(64), size: 1 }],
    processing,
  })
  return { manifest, dir: '/nonexistent', device: 'cpu', sessions: made }
}

/** Wraps a session so tests can count its runs. */
export function countRuns(session: InferenceSession): { session: InferenceSession; runs: () => number } {
  let runs = 0
  const counted = new Proxy(session, {
    get(target, prop, receiver) {
      if (prop === 'run') return (...args: Parameters<InferenceSession['run']>) => { runs++; return target.run(...args) }
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { session: counted, runs: () => runs }
}
