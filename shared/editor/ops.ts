/**
 * Document edits the editor performs, as plain functions on plain data: making layers,
 * reading and writing animatable properties at a frame, moving keyframes, parenting checks,
 * reordering, copying. The editor store runs them inside its recorded `apply`.
 */
import { valueAt } from '../engine/interpolate'
import type { Composition } from '../project/composition'
import { type Layer, type LayerKind, layerSchema } from '../project/layers'
import type { AnimatableProperty, Easing, Interpolation, Keyframe } from '../project/properties'
import type { ProjectDocument } from '../project/schema'
import type { ShapeType } from '../project/shapes'
import { type BezierPath, type Mask, maskSchema } from '../project/masks'

let idCounter = 0

/** A short id, unique within a document in practice (random part plus a per-session counter). */
export function newId(prefix: string): string {
  idCounter = (idCounter + 1) % 1_000_000
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}${idCounter.toString(36)}`
}

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
 * A new layer of `kind` spanning the whole composition, centred in it, with the schema's
 * defaults. Throws when a kind's required reference (asset, composition) is missing.
 */
export function createLayer(kind: LayerKind, comp: Composition, options: NewLayerOptions = {}): Layer {
  const centre = [comp.width / 2, comp.height / 2, 0]
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
    case 'audio':
      base.data = { assetId: need(options.assetId, 'an asset') }
      break
    case 'video':
      base.data = { assetId: need(options.assetId, 'an asset') }
      break
    case 'depth':
      base.data = { assetId: need(options.assetId, 'an image'), depthAssetId: need(options.depthAssetId, 'a depth map') }
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
      break
    case 'null':
    case 'adjustment':
      break
  }
  return layerSchema.parse(base)
}

/** `path`: a bezier path (mask shapes), edited through its bounding box. */
export type PropertyValueKind = 'number' | 'vec2' | 'vec3' | 'path'

/** One animatable numeric property of a layer, addressed by a dotted path from the layer. */
export interface PropertyInfo {
  path: string
  label: string
  group: string
  valueKind: PropertyValueKind
  /** Position properties follow spatial tangents. */
  spatial: boolean
  min?: number
  max?: number
  step?: number
}

function transformProperties(layer: Layer): PropertyInfo[] {
  const t = (key: string, label: string, valueKind: PropertyValueKind, extra: Partial<PropertyInfo> = {}): PropertyInfo => ({
    path: `transform.${key}`, label, group: 'Transform', valueKind, spatial: false, ...extra,
  })
  const list = [
    t('anchor', 'Anchor point', 'vec3'),
    t('position', 'Position', 'vec3', { spatial: true }),
    t('scale', 'Scale', 'vec3'),
  ]
  if (layer.threeD) {
    list.push(t('orientation', 'Orientation', 'vec3'), t('rotationX', 'X rotation', 'number'), t('rotationY', 'Y rotation', 'number'))
  }
  list.push(t('rotation', layer.threeD ? 'Z rotation' : 'Rotation', 'number'))
  if (layer.kind !== 'camera' && layer.kind !== 'null') list.push(t('opacity', 'Opacity', 'number', { min: 0, max: 100 }))
  return list
}

/** The animatable numeric properties the editor shows for `layer`, transform first. */
export function layerProperties(layer: Layer): PropertyInfo[] {
  const list = transformProperties(layer)
  const d = (key: string, label: string, group: string, valueKind: PropertyValueKind, extra: Partial<PropertyInfo> = {}): PropertyInfo => ({
    path: `data.${key}`, label, group, valueKind, spatial: false, ...extra,
  })
  switch (layer.kind) {
    case 'camera':
      list.push(d('zoom', 'Zoom', 'Camera', 'number', { min: 1 }))
      if (layer.data.cameraType === 'twoNode') list.push(d('pointOfInterest', 'Point of interest', 'Camera', 'vec3'))
      break
    case 'audio':
      list.push(d('volume', 'Volume', 'Audio', 'number', { min: 0, max: 100 }))
      break
    case 'depth':
      list.push(d('displacement', 'Displacement', 'Depth', 'number'))
      break
    case 'shape':
      layer.data.shapes.forEach((shape, index) => {
        const group = shape.name || `Shape ${index + 1}`
        const s = (key: string, label: string, valueKind: PropertyValueKind, extra: Partial<PropertyInfo> = {}) =>
          d(`shapes.${index}.${key}`, label, group, valueKind, extra)
        if (shape.type !== 'path') list.push(s('position', 'Position', 'vec2'))
        if (shape.type === 'rectangle' || shape.type === 'ellipse') list.push(s('size', 'Size', 'vec2', { min: 0 }))
        if (shape.type === 'rectangle') list.push(s('roundness', 'Roundness', 'number', { min: 0 }))
        if (shape.type === 'polygon') {
          list.push(s('outerRadius', 'Outer radius', 'number', { min: 0 }))
          if (shape.innerRadius) list.push(s('innerRadius', 'Inner radius', 'number', { min: 0 }))
          list.push(s('rotation', 'Rotation', 'number'))
        }
      })
      break
  }
  list.push(...maskProperties(layer))
  return list
}

/** The animatable properties of the layer's masks (path, feather, expansion, opacity), grouped by mask. */
export function maskProperties(layer: Pick<Layer, 'masks'>, only?: number): PropertyInfo[] {
  return layer.masks.flatMap((mask, index) => {
    if (only !== undefined && index !== only) return []
    const group = mask.name || `Mask ${index + 1}`
    const m = (key: string, label: string, valueKind: PropertyValueKind, extra: Partial<PropertyInfo> = {}): PropertyInfo => ({
      path: `masks.${index}.${key}`, label, group, valueKind, spatial: false, ...extra,
    })
    return [
      m('path', 'Path', 'path'),
      m('feather', 'Feather', 'vec2', { min: 0 }),
      m('expansion', 'Expansion', 'number'),
      m('opacity', 'Opacity', 'number', { min: 0, max: 100 }),
    ]
  })
}

/** The value at a dotted path (`transform.position`, `data.shapes.0.size`), or undefined. */
export function getPath(root: unknown, path: string): unknown {
  let node = root
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

/** The animatable property at `path` of `layer`, when there is one. */
export function propertyAt(layer: Layer, path: string): AnimatableProperty<unknown> | null {
  const node = getPath(layer, path)
  if (typeof node === 'object' && node !== null && 'value' in node && Array.isArray((node as { keyframes?: unknown }).keyframes)) {
    return node as AnimatableProperty<unknown>
  }
  return null
}

/** Every keyframed property of a layer: its path and the property. */
export function animatedProperties(layer: Layer): { info: PropertyInfo; property: AnimatableProperty<unknown> }[] {
  return layerProperties(layer).flatMap((info) => {
    const property = propertyAt(layer, info.path)
    return property && property.keyframes.length > 0 ? [{ info, property }] : []
  })
}

/** Index where a keyframe at `frame` goes to keep the list sorted; `exact` when one is there. */
export function keyframeSlot(keyframes: readonly { frame: number }[], frame: number): { index: number; exact: boolean } {
  let index = 0
  while (index < keyframes.length && (keyframes[index] as { frame: number }).frame < frame) index++
  return { index, exact: keyframes[index]?.frame === frame }
}

/**
 * Edits a property as the user sees it at `frame`: unanimated properties change their value;
 * animated ones change the keyframe at `frame`, or get a new one there. Returns the keyframe
 * touched, if any.
 */
export function setValueAtFrame<T>(property: AnimatableProperty<T>, frame: number, value: T): Keyframe<T> | null {
  if (property.keyframes.length === 0) {
    property.value = value
    return null
  }
  const { index, exact } = keyframeSlot(property.keyframes, frame)
  if (exact) {
    const keyframe = property.keyframes[index] as Keyframe<T>
    keyframe.value = value
    return keyframe
  }
  const neighbour = property.keyframes[Math.max(0, index - 1)] as Keyframe<T>
  const keyframe: Keyframe<T> = { id: newId('key'), frame, value, interpolation: neighbour.interpolation }
  if (neighbour.easing) keyframe.easing = neighbour.easing
  property.keyframes.splice(index, 0, keyframe)
  return keyframe
}

/** Adds a keyframe holding the current value at `frame` (no-op when one is there). */
export function addKeyframe<T>(property: AnimatableProperty<T>, frame: number, spatial = false): Keyframe<T> {
  const { index, exact } = keyframeSlot(property.keyframes, frame)
  if (exact) return property.keyframes[index] as Keyframe<T>
  const value = structuredCloneValue(valueAt(property, frame, { spatial }))
  const keyframe: Keyframe<T> = { id: newId('key'), frame, value, interpolation: 'linear' }
  property.keyframes.splice(index, 0, keyframe)
  return keyframe
}

function structuredCloneValue<T>(value: T): T {
  return (typeof value === 'object' && value !== null ? JSON.parse(JSON.stringify(value)) : value) as T
}

/**
 * The stopwatch: starts animating with one keyframe at `frame`, or stops, keeping the value
 * seen at `frame` as the static value.
 */
export function toggleAnimation<T>(property: AnimatableProperty<T>, frame: number, spatial = false): void {
  if (property.keyframes.length === 0) {
    addKeyframe(property, frame, spatial)
    return
  }
  property.value = structuredCloneValue(valueAt(property, frame, { spatial }))
  property.keyframes.splice(0, property.keyframes.length)
}

/** Removes the keyframes whose ids are in `ids`; the value stays what it was at `frame`. */
export function deleteKeyframes<T>(property: AnimatableProperty<T>, ids: ReadonlySet<string>, frame: number, spatial = false): number {
  const before = property.keyframes.length
  const keep = property.keyframes.filter((keyframe) => !ids.has(keyframe.id))
  if (keep.length === before) return 0
  if (keep.length === 0) property.value = structuredCloneValue(valueAt(property, frame, { spatial }))
  property.keyframes.splice(0, before, ...keep)
  return before - keep.length
}

/**
 * Moves the keyframes in `ids` by `delta` frames (whole frames, never below 0). A moved
 * keyframe landing on an unmoved one replaces it, as in After Effects; order stays sorted.
 */
export function moveKeyframes<T>(property: AnimatableProperty<T>, ids: ReadonlySet<string>, delta: number): void {
  const moving = property.keyframes.filter((keyframe) => ids.has(keyframe.id))
  if (moving.length === 0 || delta === 0) return
  const minFrame = Math.min(...moving.map((keyframe) => keyframe.frame))
  const shift = Math.max(delta, -minFrame)
  if (shift === 0) return
  const targets = new Set(moving.map((keyframe) => keyframe.frame + shift))
  const staying = property.keyframes.filter((keyframe) => !ids.has(keyframe.id) && !targets.has(keyframe.frame))
  for (const keyframe of moving) keyframe.frame += shift
  const next = [...staying, ...moving].sort((a, b) => a.frame - b.frame)
  property.keyframes.splice(0, property.keyframes.length, ...next)
}

/** Easing choices for keyframes: the schema's interpolations and its easing presets. */
export type KeyframeEase = Interpolation | Easing

/** Sets how the segment after `keyframe` moves: `hold`, `linear`, `bezier` (its handles) or a preset. */
export function setKeyframeEase(keyframe: Keyframe<unknown>, ease: KeyframeEase): void {
  if (ease === 'hold' || ease === 'linear' || ease === 'bezier') {
    keyframe.interpolation = ease
    if (keyframe.easing !== undefined) delete keyframe.easing
  } else {
    keyframe.interpolation = 'bezier'
    keyframe.easing = ease
  }
}

/** What a keyframe's ease menu shows as selected. */
export function keyframeEase(keyframe: Pick<Keyframe<unknown>, 'interpolation' | 'easing'>): KeyframeEase {
  return keyframe.interpolation !== 'hold' && keyframe.easing ? keyframe.easing : keyframe.interpolation
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

/** `HH:MM:SS:FF` for a frame at a rate (non-drop; fractional rates count whole frames per second). */
export function formatTimecode(frame: number, fps: number): string {
  const perSecond = Math.max(1, Math.round(fps))
  const whole = Math.max(0, Math.floor(frame))
  const ff = whole % perSecond
  const totalSeconds = Math.floor(whole / perSecond)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}:${pad(ff)}`
}

/** A media asset as `addAssetLayer` needs it: its display size when known (images, videos). */
export interface PlacedAsset {
  id: string
  name: string
  kind: 'image' | 'video'
  width?: number
  height?: number
}

/**
 * Puts `asset` on top of the main composition as an image or video layer at its own size,
 * centred in the composition (the anchor is the asset's centre). Returns the new layer; the
 * document is changed in place, so pass a copy when the original must stay as it was.
 */
export function addAssetLayer(doc: ProjectDocument, asset: PlacedAsset): Layer {
  const comp = doc.compositions[doc.mainCompositionId]
  if (!comp) throw new Error('This project has no main composition.')
  const layer = createLayer(asset.kind, comp, { assetId: asset.id, name: asset.name || undefined })
  const width = asset.width && asset.width > 0 ? asset.width : comp.width
  const height = asset.height && asset.height > 0 ? asset.height : comp.height
  layer.transform.anchor.value = [width / 2, height / 2, 0]
  comp.layers.unshift(layer)
  return layer
}

/** Layers (in any composition) that place composition `compositionId`. */
export function compositionUsers(doc: ProjectDocument, compositionId: string): { compositionId: string; layerId: string }[] {
  return Object.values(doc.compositions).flatMap((comp) =>
    comp.layers.flatMap((layer) =>
      layer.kind === 'nestedComposition' && layer.data.compositionId === compositionId ? [{ compositionId: comp.id, layerId: layer.id }] : [],
    ),
  )
}

/** Every keyframe list in a layer, for renewing ids. */
function eachKeyframeList(node: unknown, visit: (keyframes: { id: string }[]) => void): void {
  if (Array.isArray(node)) {
    node.forEach((child) => eachKeyframeList(child, visit))
    return
  }
  if (typeof node !== 'object' || node === null) return
  for (const [key, child] of Object.entries(node)) {
    if (key === 'keyframes' && Array.isArray(child)) visit(child as { id: string }[])
    else eachKeyframeList(child, visit)
  }
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

/**
 * Pastes copied keyframes into `property` so the earliest lands on `frame`, replacing keyframes
 * at the same frames. Returns the new keyframes' ids.
 */
export function pasteKeyframes<T>(property: AnimatableProperty<T>, copied: readonly Keyframe<T>[], frame: number): string[] {
  if (copied.length === 0) return []
  const first = Math.min(...copied.map((keyframe) => keyframe.frame))
  const fresh = (JSON.parse(JSON.stringify(copied)) as Keyframe<T>[]).map((keyframe) => ({
    ...keyframe, id: newId('key'), frame: keyframe.frame - first + frame,
  }))
  const frames = new Set(fresh.map((keyframe) => keyframe.frame))
  const next = [...property.keyframes.filter((keyframe) => !frames.has(keyframe.frame)), ...fresh].sort((a, b) => a.frame - b.frame)
  property.keyframes.splice(0, property.keyframes.length, ...next)
  return fresh.map((keyframe) => keyframe.id)
}

// ---- masks ----

/** An axis-aligned box in layer space. */
export interface Bounds {
  x: number
  y: number
  width: number
  height: number
}

/**
 * What the layer draws, in its own space, when that is known without loading anything:
 * solids and nested compositions span (0, 0)–(width, height). Null otherwise (text, media,
 * shapes), for callers to fall back to the composition's frame.
 */
export function layerContentBounds(layer: Layer, doc?: Pick<ProjectDocument, 'compositions'>): Bounds | null {
  if (layer.kind === 'solid') return { x: 0, y: 0, width: layer.data.width, height: layer.data.height }
  if (layer.kind === 'nestedComposition') {
    const nested = doc?.compositions[layer.data.compositionId]
    if (nested) return { x: 0, y: 0, width: nested.width, height: nested.height }
  }
  return null
}

/** A closed four-corner path, clockwise from the top left. */
export function rectanglePath(b: Bounds): BezierPath {
  const { x, y, width: w, height: h } = b
  const corner = (px: number, py: number) => ({ point: [px, py] as [number, number], inTangent: [0, 0] as [number, number], outTangent: [0, 0] as [number, number] })
  return { closed: true, vertices: [corner(x, y), corner(x + w, y), corner(x + w, y + h), corner(x, y + h)] }
}

/** Bezier circle constant: tangent length per radius for a quarter arc. */
const KAPPA = 0.5522847498

/** A closed four-vertex ellipse filling `b`, clockwise from the top. */
export function ellipsePath(b: Bounds): BezierPath {
  const rx = b.width / 2
  const ry = b.height / 2
  const cx = b.x + rx
  const cy = b.y + ry
  const kx = rx * KAPPA
  const ky = ry * KAPPA
  const v = (px: number, py: number, inT: [number, number], outT: [number, number]) => ({ point: [px, py] as [number, number], inTangent: inT, outTangent: outT })
  return {
    closed: true,
    vertices: [
      v(cx, cy - ry, [-kx, 0], [kx, 0]),
      v(cx + rx, cy, [0, -ky], [0, ky]),
      v(cx, cy + ry, [kx, 0], [-kx, 0]),
      v(cx - rx, cy, [0, ky], [0, -ky]),
    ],
  }
}

/** The box around a path's vertices (tangent handles left out); zero-sized at the origin when empty. */
export function pathBounds(path: BezierPath): Bounds {
  if (path.vertices.length === 0) return { x: 0, y: 0, width: 0, height: 0 }
  const xs = path.vertices.map((vertex) => vertex.point[0])
  const ys = path.vertices.map((vertex) => vertex.point[1])
  const x = Math.min(...xs)
  const y = Math.min(...ys)
  return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y }
}

/**
 * The path moved and scaled so its vertices' box becomes `target` (tangents scale with it).
 * A flat axis (zero width or height) only moves. Vertex count and order stay, so the result
 * still interpolates with the path's other keyframes.
 */
export function fitPathToBounds(path: BezierPath, target: Bounds): BezierPath {
  const from = pathBounds(path)
  const sx = from.width > 1e-9 ? target.width / from.width : 1
  const sy = from.height > 1e-9 ? target.height / from.height : 1
  return {
    closed: path.closed,
    vertices: path.vertices.map((vertex) => ({
      point: [target.x + (vertex.point[0] - from.x) * sx, target.y + (vertex.point[1] - from.y) * sy],
      inTangent: [vertex.inTangent[0] * sx, vertex.inTangent[1] * sy],
      outTangent: [vertex.outTangent[0] * sx, vertex.outTangent[1] * sy],
    })),
  }
}

export type MaskShape = 'rectangle' | 'ellipse'

/**
 * Adds a mask of `shape` filling `bounds` (layer space) at the bottom of the layer's mask list,
 * named "Mask n" (first free n), in add mode. Returns it.
 */
export function addMask(layer: Pick<Layer, 'masks'>, shape: MaskShape, bounds: Bounds): Mask {
  const taken = new Set(layer.masks.map((mask) => mask.name))
  let n = 1
  while (taken.has(`Mask ${n}`)) n++
  const mask = maskSchema.parse({
    id: newId('mask'),
    name: `Mask ${n}`,
    path: { value: shape === 'ellipse' ? ellipsePath(bounds) : rectanglePath(bounds) },
  })
  layer.masks.push(mask)
  return mask
}

/** Removes the mask with `id`; whether there was one. */
export function deleteMask(layer: Pick<Layer, 'masks'>, id: string): boolean {
  const index = layer.masks.findIndex((mask) => mask.id === id)
  if (index < 0) return false
  layer.masks.splice(index, 1)
  return true
}
