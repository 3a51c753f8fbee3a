import { z } from 'zod'
import { layerCommonShape } from './layer-common'
import {
  audioDataSchema,
  cameraDataSchema,
  depthDataSchema,
  imageDataSchema,
  nestedCompositionDataSchema,
  shapeDataSchema,
  solidDataSchema,
  textDataSchema,
  videoDataSchema,
} from './layer-data'

/** Builds one member of the layer union: the shared fields plus a literal `kind`. */
function layerOf<K extends string, D extends z.ZodType>(kind: K, data: D) {
  return z.object({ ...layerCommonShape, kind: z.literal(kind), data })
}

function dataLessLayerOf<K extends string>(kind: K) {
  return z.object({ ...layerCommonShape, kind: z.literal(kind) })
}

export const imageLayerSchema = layerOf('image', imageDataSchema)
export const videoLayerSchema = layerOf('video', videoDataSchema)
export const audioLayerSchema = layerOf('audio', audioDataSchema)
export const solidLayerSchema = layerOf('solid', solidDataSchema)
export const textLayerSchema = layerOf('text', textDataSchema.prefault({}))
export const shapeLayerSchema = layerOf('shape', shapeDataSchema.prefault({}))
export const cameraLayerSchema = layerOf('camera', cameraDataSchema.prefault({}))
/** A control layer: only its transform matters, usually as a parent of other layers. */
export const nullLayerSchema = dataLessLayerOf('null')
export const depthLayerSchema = layerOf('depth', depthDataSchema)
export const nestedCompositionLayerSchema = layerOf('nestedComposition', nestedCompositionDataSchema)
/** Applies its effects to everything below it. */
export const adjustmentLayerSchema = dataLessLayerOf('adjustment')

export const layerSchema = z.discriminatedUnion('kind', [
  imageLayerSchema,
  videoLayerSchema,
  audioLayerSchema,
  solidLayerSchema,
  textLayerSchema,
  shapeLayerSchema,
  cameraLayerSchema,
  nullLayerSchema,
  depthLayerSchema,
  nestedCompositionLayerSchema,
  adjustmentLayerSchema,
])

export const LAYER_KINDS = layerSchema.options.map((option) => option.shape.kind.value)

export type Layer = z.infer<typeof layerSchema>
export type LayerInput = z.input<typeof layerSchema>
export type LayerKind = Layer['kind']
/** The layer type for one kind, e.g. `LayerOfKind<'video'>` has `data.assetId`. */
export type LayerOfKind<K extends LayerKind> = Extract<Layer, { kind: K }>
