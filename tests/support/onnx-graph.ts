import onnxProto from 'onnx-proto'

/**
 * Builds small ONNX models in memory, so tests can run the real loading, pre- and post-processing
 * code on graphs with the real models' tensor names and shapes when no registry has their weights.
 */
const { onnx } = onnxProto as unknown as { onnx: typeof import('onnx-proto').onnx }

type Dim = number | string
type ElementType = 'float32' | 'int64'
export interface TensorSpec { name: string; dims: Dim[]; type?: ElementType }
export interface NodeSpec {
  op: string
  inputs: string[]
  outputs: string[]
  attributes?: Record<string, number | number[] | string>
  domain?: string
}
export interface Initializer { name: string; dims: number[]; data: Float32Array | BigInt64Array }
export interface GraphSpec {
  inputs: TensorSpec[]
  outputs: TensorSpec[]
  nodes: NodeSpec[]
  initializers?: Initializer[]
  opset?: number
}

const ELEMENT = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64 }

function valueInfo(spec: TensorSpec) {
  return onnx.ValueInfoProto.create({
    name: spec.name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: ELEMENT[spec.type ?? 'float32'],
        shape: onnx.TensorShapeProto.create({
          dim: spec.dims.map((d) => (typeof d === 'number' ? onnx.TensorShapeProto.Dimension.create({ dimValue: d }) : onnx.TensorShapeProto.Dimension.create({ dimParam: d }))),
        }),
      }),
    }),
  })
}

function attribute(name: string, value: number | number[] | string) {
  const { AttributeType } = onnx.AttributeProto
  if (typeof value === 'string') return onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: new TextEncoder().encode(value) })
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: value })
  if (Number.isInteger(value)) return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value })
  return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value })
}

function initializer(init: Initializer) {
  const isFloat = init.data instanceof Float32Array
  return onnx.TensorProto.create({
    name: init.name,
    dims: init.dims,
    dataType: isFloat ? ELEMENT.float32 : ELEMENT.int64,
    rawData: new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength),
  })
}

/** The serialized model, ready for `InferenceSession.create(bytes)` or to be written as a `.onnx` file. */
export function buildOnnxModel(spec: GraphSpec): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'test',
    input: spec.inputs.map(valueInfo),
    output: spec.outputs.map(valueInfo),
    node: spec.nodes.map((n, i) => onnx.NodeProto.create({
      name: `n${i}`,
      opType: n.op,
      domain: n.domain ?? '',
      input: n.inputs,
      output: n.outputs,
      attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
    })),
    initializer: (spec.initializers ?? []).map(initializer),
  })
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'lattice-tests',
    opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: spec.opset ?? 17 })],
    graph,
  })
  return onnx.ModelProto.encode(model).finish()
}

/** A float32 scalar or vector initializer. */
export const floats = (name: string, values: number[], dims = [values.length]): Initializer => ({ name, dims, data: Float32Array.from(values) })
/** An int64 vector initializer (shapes, axes). */
export const int64s = (name: string, values: number[]): Initializer => ({ name, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) })
