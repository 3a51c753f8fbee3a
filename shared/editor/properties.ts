/** The animatable properties the editor shows for a layer and its masks, addressed by dotted paths. */
import type { Layer } from '../project/layers'
import type { AnimatableProperty } from '../project/properties'

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

/** What the editor offers for a layer beyond its properties; a camera has no picture of its own to mask, blend or matte. */
export interface LayerFeatures {
  masks: boolean
  blendMode: boolean
  trackMatte: boolean
  /** The 3D switch: cameras are always 3D. */
  threeDSwitch: boolean
  /** Whether other layers can use it as their track matte. */
  matteSource: boolean
}

/** The panels' rows for a layer of `kind`: cameras show only what a camera has. */
export function layerFeatures(kind: Layer['kind']): LayerFeatures {
  if (kind === 'camera') return { masks: false, blendMode: false, trackMatte: false, threeDSwitch: false, matteSource: false }
  return { masks: true, blendMode: true, trackMatte: true, threeDSwitch: true, matteSource: kind !== 'audio' && kind !== 'null' }
}

function transformProperties(layer: Layer): PropertyInfo[] {
  const t = (key: string, label: string, valueKind: PropertyValueKind, extra: Partial<PropertyInfo> = {}): PropertyInfo => ({
    path: `transform.${key}`, label, group: 'Transform', valueKind, spatial: false, ...extra,
  })
  // A camera has a position and an orientation, nothing to pivot or scale.
  const list = layer.kind === 'camera'
    ? [t('position', 'Position', 'vec3', { spatial: true })]
    : [t('anchor', 'Anchor point', 'vec3'), t('position', 'Position', 'vec3', { spatial: true }), t('scale', 'Scale', 'vec3')]
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
