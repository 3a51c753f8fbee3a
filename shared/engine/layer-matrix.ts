import type { Composition } from '../project/composition'
import type { Layer } from '../project/layers'
import type { Vec3 } from '../project/properties'
import { cameraLocalMatrix } from './camera-rig'
import { valueAt } from './interpolate'
import type { Mat4 } from './mat4'
import { type TransformValues, localMatrix, transformAt, worldMatrices } from './transform'

/** The point of interest of a two-node camera at `frame`, else null. */
export function pointOfInterestAt(layer: Layer, frame: number): Vec3 | null {
  if (layer.kind !== 'camera' || layer.data.cameraType !== 'twoNode') return null
  return valueAt(layer.data.pointOfInterest, frame, { spatial: true })
}

/** Layer space → parent space at `frame` (cameras use their own rig, camera-rig.ts; cameras are always 3D). */
export function layerLocalMatrix(layer: Layer, values: TransformValues, frame: number): Mat4 {
  if (layer.kind === 'camera') return cameraLocalMatrix(values, pointOfInterestAt(layer, frame))
  return localMatrix(values, layer.threeD)
}

/** Every layer's resolved transform, local and world matrix at `frame`, in layer order. */
export function compositionMatrices(
  composition: Pick<Composition, 'layers'>,
  frame: number,
): { values: TransformValues[]; locals: Mat4[]; worlds: Mat4[] } {
  const values = composition.layers.map((layer) => transformAt(layer.transform, frame))
  const locals = composition.layers.map((layer, i) => layerLocalMatrix(layer, values[i] as TransformValues, frame))
  return { values, locals, worlds: worldMatrices(composition.layers, locals) }
}
