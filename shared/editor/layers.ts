/**
 * Layer edits: new layers of every kind (and from an asset), names, parenting checks,
 * reordering, and copies for paste with fresh ids.
 */
import type { Composition } from '../project/composition'
import { type Layer, type LayerKind, layerSchema } from '../project/layers'
import type { ProjectDocument } from '../project/schema'
import type { ShapeType } from '../project/shapes'
import { newId } from './ids'

export const LAYER_KIND_LABELS: Record<LayerKind, string> = {
  image: 'Image',
  video: 'Video',
  audio: 'Audio',
  solid: 'Solid',
  text: 'Text',
  shape: 'Shape',
  camera: 'Camera',
  null: 'Null',
  depth: 'Depth',
  nestedComposition: 'Composition',
  adjustment: 'Adjustment',
}

/** "Solid 3" when "Solid 1" and "Solid 2" exist. */
export function uniqueLayerName(comp: Pick<Composition, 'layers'>, base: string): string {
  const taken = new Set(comp.layers.map((layer) => layer.name))
  for (let n = 1; ; n++) {
    const name = `${base} ${n}`
    if (!taken.has(name)) return name
  }
}

export interface NewLayerOptions {
  name?: string
  /** Image, video, audio and depth layers. */
  assetId?: string
  /** Depth layers: the depth map. */
  depthAssetId?: string
  /** Nested-composition layers. */
  compositionId?: string
  /** Shape layers: the first shape. */
  shapeType?: ShapeType | 'star'
  color?: string
  text?: string
  /**
   * Image, video, depth and nested-composition layers: the content's size in pixels. The anchor
   * goes to its centre (the composition's centre when the size is unknown).
   */
  size?: { width: number; height: number }
  /** Video layers: the clip's length in seconds. The layer lasts that long at the composition's rate. */
  durationSeconds?: number
}

/** Frames a clip of `seconds` lasts at `fps`: at least one, or null when the length is unknown. */
export function clipFrames(seconds: number | undefined, fps: number): number | null {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0 || !(fps > 0)) return null
  return Math.max(1, Math.round(seconds * fps))
}

function shapeOf(type: ShapeType | 'star', size: number): Record<string, unknown> {
  switch (type) {
    case 'rectangle':
      return { type: 'rectangle', name: 'Rectangle', size: { value: [size, size] } }
    case 'ellipse':
      return { type: 'ellipse', name: 'Ellipse', size: { value: [size, size] } }
    case 'polygon':
      return { type: 'polygon', name: 'Polygon', points: 6, outerRadius: { value: size / 2 } }
    case 'star':
      return { type: 'polygon', name: 'Star', points: 5, outerRadius: { value: size / 2 }, innerRadius: { value: size / 4, keyframes: [] } }
    case 'path': {
      const h = size / 2
      return {
        type: 'path',
        name: 'Path',
        path: { value: { closed: true, vertices: [{ point: [0, -h] }, { point: [h, h] }, { point: [-h, h] }] } },
      }
    }
  }
}

/**
 * A new layer of `kind` spanning the whole composition (a video layer: its clip's length, when
 * known), centred in it, with the schema's defaults. Layers with a picture (solids, images,
 * videos, depth, nested compositions) get their anchor at the picture's centre; shapes are drawn
 * around the layer's origin, so their anchor is already at their centre. Throws when a kind's
 * required reference (asset, composition) is missing.
 */
export function createLayer(kind: LayerKind, comp: Composition, options: NewLayerOptions = {}): Layer {
  const centre = [comp.width / 2, comp.height / 2, 0]
  const size = options.size && options.size.width > 0 && options.size.height > 0 ? options.size : { width: comp.width, height: comp.height }
  const centred = { position: { value: centre }, anchor: { value: [size.width / 2, size.height / 2, 0] } }
  const base: Record<string, unknown> = {
    id: newId('layer'),
    name: options.name ?? uniqueLayerName(comp, LAYER_KIND_LABELS[kind]),
    kind,
    inPoint: 0,
    outPoint: comp.frameCount,
    transform: { position: { value: centre } },
  }
  const need = (value: string | undefined, what: string): string => {
    if (!value) throw new Error(`A ${LAYER_KIND_LABELS[kind].toLowerCase()} layer needs ${what}.`)
    return value
  }
  switch (kind) {
    case 'solid':
      base.data = { color: options.color ?? '#808080', width: comp.width, height: comp.height }
      base.transform = { position: { value: centre }, anchor: { value: [comp.width / 2, comp.height / 2, 0] } }
      break
    case 'image':
      base.data = { assetId: need(options.assetId, 'an asset') }
      base.transform = centred
      break
    case 'audio':
      base.data = { assetId: need(options.assetId, 'an asset') }
      break
    case 'video':
      base.data = { assetId: need(options.assetId, 'an asset') }
      base.transform = centred
      base.outPoint = clipFrames(options.durationSeconds, comp.fps) ?? comp.frameCount
      break
    case 'depth':
      base.data = { assetId: need(options.assetId, 'an image'), depthAssetId: need(options.depthAssetId, 'a depth map') }
      base.transform = centred
      break
    case 'text':
      base.data = { text: options.text ?? 'Text', fontSize: Math.max(12, Math.round(comp.height / 10)) }
      break
    case 'shape':
      base.data = { shapes: [shapeOf(options.shapeType ?? 'rectangle', Math.round(Math.min(comp.width, comp.height) / 4))] }
      break
    case 'camera':
      base.data = {}
      base.threeD = true
      base.transform = { position: { value: [comp.width / 2, comp.height / 2, -(comp.width * 50) / 36] } }
      break
    case 'nestedComposition':
      base.data = { compositionId: need(options.compositionId, 'a composition') }
      base.transform = centred
      break
    case 'null':
    case 'adjustment':
      break
  }
  return layerSchema.parse(base)
}


/**
 * Puts a new layer's anchor at the centre of `bounds` (its content box in layer space), keeping
 * its position: the content's centre then sits on the position (the composition's centre for a
 * new layer) and the layer pivots about it. No change when `bounds` is null.
 */
export function centreAnchorOn(layer: Layer, bounds: { x: number; y: number; width: number; height: number } | null): void {
  if (!bounds) return
  const z = layer.transform.anchor.value[2]
  layer.transform.anchor.value = [bounds.x + bounds.width / 2, bounds.y + bounds.height / 2, z]
}

/** Whether making `parentId` the parent of `childId` would close a loop (or is the layer itself). */
export function wouldCreateCycle(layers: readonly Pick<Layer, 'id' | 'parentId'>[], childId: string, parentId: string | null): boolean {
  if (parentId === null) return false
  const parentOf = new Map(layers.map((layer) => [layer.id, layer.parentId]))
  const seen = new Set<string>()
  for (let id: string | null = parentId; id !== null; id = parentOf.get(id) ?? null) {
    if (id === childId) return true
    if (seen.has(id)) return true
    seen.add(id)
  }
  return false
}

/** Moves the item at `from` so it ends up at index `to`. */
export function moveItem<T>(list: T[], from: number, to: number): void {
  if (from === to || from < 0 || from >= list.length) return
  const target = Math.max(0, Math.min(list.length - 1, to))
  const [item] = list.splice(from, 1)
  list.splice(target, 0, item as T)
}

/** A media asset as `addAssetLayer` needs it: its display size when known (images, videos). */
export interface PlacedAsset {
  id: string
  name: string
  kind: 'image' | 'video'
  width?: number
  height?: number
  /** Videos: the clip's length in seconds. */
  durationSeconds?: number
}

/**
 * Puts `asset` on top of the main composition as an image or video layer at its own size,
 * centred in the composition (the anchor is the asset's centre), a video lasting as long as its
 * clip. Returns the new layer; the
 * document is changed in place, so pass a copy when the original must stay as it was.
 */
export function addAssetLayer(doc: ProjectDocument, asset: PlacedAsset): Layer {
  const comp = doc.compositions[doc.mainCompositionId]
  if (!comp) throw new Error('This project has no main composition.')
  const size = asset.width && asset.height ? { width: asset.width, height: asset.height } : undefined
  const layer = createLayer(asset.kind, comp, { assetId: asset.id, name: asset.name || undefined, size, durationSeconds: asset.durationSeconds })
  comp.layers.unshift(layer)
  return layer
}

const DRAWS_NOTHING = new Set<LayerKind>(['camera', 'null', 'audio', 'adjustment'])

/**
 * Whether the depth pass of `comp` can show anything: it comes from visible 3D layers and depth
 * layers that draw a picture; without any, every pixel of the pass is black.
 */
export function hasDepthContent(comp: Pick<Composition, 'layers'>): boolean {
  return comp.layers.some((layer) => layer.visible && !DRAWS_NOTHING.has(layer.kind) && (layer.threeD || layer.kind === 'depth'))
}

/** What the depth pass of a composition without 3D or depth layers is, and what to do about it. */
export const NO_DEPTH_MESSAGE = 'This composition has no 3D or depth layers, so its depth pass is black. Turn on 3D for a layer or add a depth layer first.'

/** Layers (in any composition) that place composition `compositionId`. */
export function compositionUsers(doc: ProjectDocument, compositionId: string): { compositionId: string; layerId: string }[] {
  return Object.values(doc.compositions).flatMap((comp) =>
    comp.layers.flatMap((layer) =>
      layer.kind === 'nestedComposition' && layer.data.compositionId === compositionId ? [{ compositionId: comp.id, layerId: layer.id }] : [],
    ),
  )
}

/** Every keyframe list in a layer, for renewing ids. */
function eachKeyframeList(node: unknown, visit: (keyframes: { id: string; frame: number }[]) => void): void {
  if (Array.isArray(node)) {
    node.forEach((child) => eachKeyframeList(child, visit))
    return
  }
  if (typeof node !== 'object' || node === null) return
  for (const [key, child] of Object.entries(node)) {
    if (key === 'keyframes' && Array.isArray(child)) visit(child as { id: string; frame: number }[])
    else eachKeyframeList(child, visit)
  }
}

/**
 * Slides a layer `delta` frames in time, as After Effects does: its in and out points, its
 * source (`startTime`) and every keyframe it holds (transform, masks, effects, its kind's data,
 * shown or not) move together, so the animation plays the same, later or earlier. Keyframes are
 * in composition frames, so a slide is the one edit that moves them with the layer.
 */
export function slideLayer(layer: Layer, delta: number): void {
  if (delta === 0) return
  layer.inPoint += delta
  layer.outPoint += delta
  layer.startTime += delta
  eachKeyframeList(layer, (keyframes) => {
    for (const keyframe of keyframes) keyframe.frame += delta
  })
}

/**
 * Copies of `layers` to paste into a composition: fresh layer, keyframe, mask and effect ids;
 * parents and track mattes kept when they are among the copies, else cleared; names made
 * unique against `target`.
 */
export function copyLayersForPaste(layers: readonly Layer[], target: Pick<Composition, 'layers'>): Layer[] {
  const copies = JSON.parse(JSON.stringify(layers)) as Layer[]
  const idMap = new Map(copies.map((layer) => [layer.id, newId('layer')]))
  const names = { layers: [...target.layers] }
  for (const layer of copies) {
    layer.id = idMap.get(layer.id) as string
    layer.parentId = layer.parentId !== null ? idMap.get(layer.parentId) ?? null : null
    if (layer.trackMatte.layerId !== null) layer.trackMatte.layerId = idMap.get(layer.trackMatte.layerId) ?? null
    if (names.layers.some((other) => other.name === layer.name)) layer.name = `${layer.name} copy`
    for (const mask of layer.masks) mask.id = newId('mask')
    for (const effect of layer.effects) effect.id = newId('effect')
    eachKeyframeList(layer, (keyframes) => keyframes.forEach((keyframe) => { keyframe.id = newId('key') }))
    names.layers.push(layer)
  }
  return copies
}
