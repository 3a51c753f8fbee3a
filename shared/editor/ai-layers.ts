/**
 * Puts the results of AI tasks into a composition: a depth layer (or a depth video) for a
 * picture, a matte layer the picture is matted by (remove background, segmentation), a normal
 * map, and a traced mask path. Plain functions on plain data, run inside the editor's `apply`.
 */
import type { Composition } from '../project/composition'
import type { Layer, LayerOfKind } from '../project/layers'
import type { BezierPath, Mask } from '../project/masks'
import type { TrackMatteMode } from '../project/layer-common'
import { maskSchema } from '../project/masks'
import { layerSchema } from '../project/layers'
import { newId } from './ids'

/** Layers AI tasks work on: they show an image or a video asset. */
export type AiSourceLayer = LayerOfKind<'image'> | LayerOfKind<'video'>

export function isAiSourceLayer(layer: Layer | null | undefined): layer is AiSourceLayer {
  return layer?.kind === 'image' || layer?.kind === 'video'
}

/** An asset a task made, with its pixel size when known. */
export interface AiResultAsset {
  id: string
  name?: string
  kind?: 'image' | 'video'
  width?: number
  height?: number
}

export interface PixelSize {
  width: number
  height: number
}

/** How the result's pixels map onto the source layer's: source size / result size per axis (1 when either is unknown). */
function scaleBetween(source: PixelSize | undefined, result: AiResultAsset): [number, number] {
  if (!source || !result.width || !result.height || source.width <= 0 || source.height <= 0) return [1, 1]
  return [source.width / result.width, source.height / result.height]
}

/**
 * The layer and where a result goes: directly above it, and above its own track matte when that
 * sits directly above it (so a layer and its matte stay together).
 */
function findSource(comp: Composition, layerId: string): { layer: AiSourceLayer; index: number } {
  const at = comp.layers.findIndex((each) => each.id === layerId)
  const layer = comp.layers[at]
  if (!layer) throw new Error('The layer is no longer in this composition; the results are in Assets.')
  if (!isAiSourceLayer(layer)) throw new Error(`AI results go on image and video layers, not ${layer.kind} layers.`)
  const matteAbove = layer.trackMatte.mode !== 'none' && at > 0 && (layer.trackMatte.layerId === null || comp.layers[at - 1]!.id === layer.trackMatte.layerId)
  return { layer, index: matteAbove ? at - 1 : at }
}

/** "Beach" → "Beach depth", without repeating a suffix the name already ends with. */
function suffixed(name: string, suffix: string): string {
  return name.toLowerCase().endsWith(` ${suffix}`) ? name : `${name} ${suffix}`
}

/** A deep copy of the source's transform with fresh keyframe ids, its anchor and scale changed so `result` pixels land on the source's. */
function followingTransform(source: AiSourceLayer, [kx, ky]: [number, number]): Layer['transform'] {
  const transform = JSON.parse(JSON.stringify(source.transform)) as Layer['transform']
  for (const property of Object.values(transform)) {
    for (const keyframe of (property as { keyframes?: { id: string }[] }).keyframes ?? []) keyframe.id = newId('key')
  }
  if (kx !== 1 || ky !== 1) {
    const anchor = (value: [number, number, number]): [number, number, number] => [value[0] / kx, value[1] / ky, value[2]]
    const scale = (value: [number, number, number]): [number, number, number] => [value[0] * kx, value[1] * ky, value[2]]
    transform.anchor.value = anchor(transform.anchor.value)
    for (const keyframe of transform.anchor.keyframes) keyframe.value = anchor(keyframe.value)
    transform.scale.value = scale(transform.scale.value)
    for (const keyframe of transform.scale.keyframes) keyframe.value = scale(keyframe.value)
  }
  return transform
}

/** The source's timing and switches, for a layer that accompanies it. */
function timingOf(source: AiSourceLayer) {
  return { inPoint: source.inPoint, outPoint: source.outPoint, startTime: source.startTime, threeD: source.threeD }
}

/** A video layer's playback (time remap, loop, rate), copied so a result video stays in step with its source. */
function playbackOf(source: AiSourceLayer): Record<string, unknown> {
  if (source.kind !== 'video') return {}
  const { timeRemap, loop, playbackRate } = source.data
  return { ...(timeRemap ? { timeRemap: JSON.parse(JSON.stringify(timeRemap)) } : {}), loop, playbackRate }
}

export interface AddedLayer {
  layer: Layer
  /** What else changed, for the message shown to the user. */
  note: string | null
}

/**
 * Depth of an image layer: a depth layer of the same picture displaced by the depth map, in the
 * same place directly above it, with a displacement that shows parallax as soon as a camera
 * moves (5 % of the picture's larger side, in pixels towards the viewer). The image layer is
 * switched off, as the depth layer replaces it. Depth of a video layer: a video layer of the
 * depth video (named "… depth"), in step with the source, directly above it.
 */
export function addDepthResult(comp: Composition, sourceLayerId: string, depth: AiResultAsset, sourceSize?: PixelSize): AddedLayer {
  const { layer: source, index } = findSource(comp, sourceLayerId)
  if (source.kind === 'image') {
    const longest = sourceSize ? Math.max(sourceSize.width, sourceSize.height) : Math.max(comp.width, comp.height)
    const layer = layerSchema.parse({
      id: newId('layer'),
      name: suffixed(source.name, 'depth'),
      kind: 'depth',
      ...timingOf(source),
      parentId: source.parentId,
      blendMode: source.blendMode,
      transform: followingTransform(source, [1, 1]),
      data: { assetId: source.data.assetId, depthAssetId: depth.id, displacement: { value: Math.round(longest * 0.05) } },
    })
    comp.layers.splice(index, 0, layer)
    source.visible = false
    return { layer, note: `${source.name} is switched off: the depth layer shows the same picture.` }
  }
  const layer = layerSchema.parse({
    id: newId('layer'),
    name: suffixed(source.name, 'depth'),
    kind: 'video',
    ...timingOf(source),
    parentId: source.parentId,
    transform: followingTransform(source, scaleBetween(sourceSize, depth)),
    data: { assetId: depth.id, ...playbackOf(source) },
  })
  comp.layers.splice(index, 0, layer)
  return { layer, note: null }
}

/** A normal map of an image layer: an image layer of it, in the same place directly above. */
export function addNormalsResult(comp: Composition, sourceLayerId: string, normals: AiResultAsset, sourceSize?: PixelSize): AddedLayer {
  const { layer: source, index } = findSource(comp, sourceLayerId)
  const layer = layerSchema.parse({
    id: newId('layer'),
    name: suffixed(source.name, 'normals'),
    kind: normals.kind ?? 'image',
    ...timingOf(source),
    parentId: source.parentId,
    transform: followingTransform(source, scaleBetween(sourceSize, normals)),
    data: { assetId: normals.id },
  })
  comp.layers.splice(index, 0, layer)
  return { layer, note: null }
}

/**
 * A matte (white = keep) for a layer: an image or video layer of it directly above the layer,
 * parented to it with the transform that lays the matte's pixels on the layer's (so it follows
 * every move), in step with it, and switched off (a track matte is never drawn itself, and
 * stays hidden if the matte is later unset). The layer's track matte becomes `mode` (luma) by it.
 */
export function addMatteResult(comp: Composition, sourceLayerId: string, matte: AiResultAsset, options: { sourceSize?: PixelSize; mode?: TrackMatteMode; name?: string } = {}): AddedLayer {
  const { layer: source, index } = findSource(comp, sourceLayerId)
  const [kx, ky] = scaleBetween(options.sourceSize, matte)
  const kind = matte.kind ?? source.kind
  const layer = layerSchema.parse({
    id: newId('layer'),
    name: options.name ?? suffixed(source.name, 'matte'),
    kind,
    ...timingOf(source),
    visible: false,
    parentId: source.id,
    transform: { anchor: { value: [0, 0, 0] }, position: { value: [0, 0, 0] }, scale: { value: [kx * 100, ky * 100, 100] } },
    data: { assetId: matte.id, ...(kind === 'video' ? playbackOf(source) : {}) },
  })
  comp.layers.splice(index, 0, layer)
  source.trackMatte = { mode: options.mode ?? 'luma', layerId: layer.id }
  return { layer, note: null }
}

/** Adds a traced path as a new mask (add mode) at the bottom of the layer's masks, named "Mask n" or `name`. */
export function addTracedMask(layer: Pick<Layer, 'masks'>, path: BezierPath, name?: string): Mask {
  if (path.vertices.length < 3) throw new Error('A mask path needs at least three points.')
  const taken = new Set(layer.masks.map((mask) => mask.name))
  let label = name ?? 'Mask 1'
  for (let n = 1; taken.has(label); n++) label = name ? `${name} ${n + 1}` : `Mask ${n + 1}`
  const mask = maskSchema.parse({ id: newId('mask'), name: label, path: { value: path } })
  layer.masks.push(mask)
  return mask
}
