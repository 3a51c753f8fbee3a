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

export type PropertyValueKind = 'number' | 'vec2' | 'vec3'

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
  return list
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
