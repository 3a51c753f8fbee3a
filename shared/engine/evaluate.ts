import type { BlendMode, EffectParamValue, TrackMatteMode } from '../project/layer-common'
import type { Layer, LayerKind, LayerOfKind } from '../project/layers'
import type { BezierPath, MaskMode } from '../project/masks'
import type { ProjectDocument } from '../project/schema'
import { type CameraOptions, type CameraState, cameraState, isCameraActive } from './camera'
import { valueAt } from './interpolate'
import { compositionMatrices } from './layer-matrix'
import type { Mat4 } from './mat4'
import { type Resolved, resolveAnimatables } from './resolve'
import type { TransformValues } from './transform'

export interface MaskState {
  id: string
  name: string
  mode: MaskMode
  inverted: boolean
  /** In layer space. */
  path: BezierPath
  feather: [number, number]
  expansion: number
  /** Percent, 0..100. */
  opacity: number
}

export interface EffectState {
  id: string
  type: string
  enabled: boolean
  params: Record<string, EffectParamValue>
}

/** Where a nested composition is in its own time, and its evaluated content. */
export interface NestedCompositionState {
  compositionId: string
  /** Frame of the nested composition (fractional when rates differ). */
  frame: number
  composition: CompositionState
}

type DataOf<K extends LayerKind> = LayerOfKind<K> extends { data: infer D } ? D : undefined

interface LayerStateBase {
  id: string
  name: string
  /** Position in the composition's layer list; 0 is the top (drawn last, over the others). */
  index: number
  parentId: string | null
  /** The layer's own switch (`layer.visible`). */
  enabled: boolean
  /** inPoint ≤ frame < outPoint. */
  inRange: boolean
  /** Enabled, in range and not hidden by another layer's solo: whether to draw it. */
  visible: boolean
  solo: boolean
  threeD: boolean
  /** The layer's own time: frame − startTime. */
  layerFrame: number
  transform: TransformValues
  /** Layer space → parent space. */
  localMatrix: Mat4
  /** Layer space → composition space. */
  worldMatrix: Mat4
  /** 0..1, from the layer's own opacity only (parents' opacity does not apply, as in After Effects). */
  opacity: number
  blendMode: BlendMode
  masks: MaskState[]
  /** The matte layer, resolved (layerId null with a mode means the layer directly above). */
  trackMatte: { mode: TrackMatteMode; layerId: string | null }
  /** Ids of layers that use this one as their track matte. */
  matteFor: string[]
  effects: EffectState[]
  /** Video layers: the source frame to show (comp-frame units) and the same in seconds. */
  source?: { frame: number; time: number }
  /** Nested compositions, evaluated while the layer is in range, else null. */
  nested?: NestedCompositionState | null
  /** Camera layers: the camera at this frame. */
  camera?: CameraState
}

/** A layer at one frame, with its kind-specific `data` resolved. */
export type LayerState = {
  [K in LayerKind]: LayerStateBase & { kind: K; data: Resolved<DataOf<K>> }
}[LayerKind]

export interface CompositionState {
  id: string
  name: string
  width: number
  height: number
  fps: number
  frameCount: number
  frame: number
  backgroundColor: string
  /** In stacking order: index 0 is the top layer. */
  layers: LayerState[]
  /** The active camera (or the default camera when no camera layer is active). */
  camera: CameraState
}

export type EvaluateOptions = Pick<CameraOptions, 'near' | 'far'>

/**
 * Everything needed to draw composition `compositionId` of `document` at `frame` (fractional
 * frames allowed): every layer's visibility, matrices, opacity, resolved properties, masks,
 * mattes and, for nested compositions, their content at their own frame. Pure and
 * deterministic. Keyframe frames are composition frames of the composition holding the layer.
 */
export function evaluateComposition(
  document: Pick<ProjectDocument, 'compositions'>,
  compositionId: string,
  frame: number,
  options: EvaluateOptions = {},
): CompositionState {
  return evaluate(document, compositionId, frame, options, [])
}

/**
 * Frame of a nested composition shown by `layer` at parent frame `frame`: the time remap value
 * when the layer has one (source frames), else (frame − startTime) converted from the parent's
 * frame rate to the nested composition's.
 */
export function nestedFrame(layer: LayerOfKind<'nestedComposition'>, frame: number, parentFps: number, childFps: number): number {
  if (layer.data.timeRemap) return valueAt(layer.data.timeRemap, frame)
  return ((frame - layer.startTime) * childFps) / parentFps
}

/**
 * Source frame of a video layer at `frame`: the time remap value when set, else
 * (frame − startTime) · playbackRate. Looping needs the asset's duration and is left to the player.
 */
export function videoSourceFrame(layer: LayerOfKind<'video'>, frame: number): number {
  if (layer.data.timeRemap) return valueAt(layer.data.timeRemap, frame)
  return (frame - layer.startTime) * layer.data.playbackRate
}

function evaluate(
  document: Pick<ProjectDocument, 'compositions'>,
  compositionId: string,
  frame: number,
  options: EvaluateOptions,
  stack: string[],
): CompositionState {
  const composition = Object.hasOwn(document.compositions, compositionId) ? document.compositions[compositionId] : undefined
  if (!composition) throw new Error(`composition "${compositionId}" is not in the document`)
  if (!Number.isFinite(frame)) throw new Error(`frame must be a finite number (got ${frame})`)
  const layers = composition.layers
  const { values, locals, worlds } = compositionMatrices(composition, frame)
  const indexById = new Map(layers.map((layer, index) => [layer.id, index]))
  const anySolo = layers.some((layer) => layer.solo)
  const mattes = layers.map((layer, index) => resolveTrackMatte(layers, layer, index))
  const matteUsers = new Map<string, string[]>()
  mattes.forEach((matte, index) => {
    if (matte.layerId === null) return
    matteUsers.set(matte.layerId, [...(matteUsers.get(matte.layerId) ?? []), (layers[index] as Layer).id])
  })
  const innerStack = [...stack, compositionId]

  const states = layers.map((layer, index): LayerState => {
    const inRange = frame >= layer.inPoint && frame < layer.outPoint
    const transform = values[index] as TransformValues
    const worldMatrix = worlds[index] as Mat4
    const base: LayerStateBase = {
      id: layer.id,
      name: layer.name,
      index,
      parentId: layer.parentId,
      enabled: layer.visible,
      inRange,
      visible: layer.visible && inRange && (!anySolo || layer.solo || layer.kind === 'camera'),
      solo: layer.solo,
      threeD: layer.threeD || layer.kind === 'camera',
      layerFrame: frame - layer.startTime,
      transform,
      localMatrix: locals[index] as Mat4,
      worldMatrix,
      opacity: transform.opacity / 100,
      blendMode: layer.blendMode,
      masks: layer.masks.map((mask) => ({
        id: mask.id,
        name: mask.name,
        mode: mask.mode,
        inverted: mask.inverted,
        path: valueAt(mask.path, frame),
        feather: valueAt(mask.feather, frame),
        expansion: valueAt(mask.expansion, frame),
        opacity: valueAt(mask.opacity, frame),
      })),
      trackMatte: mattes[index] as LayerStateBase['trackMatte'],
      matteFor: matteUsers.get(layer.id) ?? [],
      effects: layer.effects.map((effect) => ({
        id: effect.id,
        type: effect.type,
        enabled: effect.enabled,
        params: Object.fromEntries(Object.entries(effect.params).map(([name, param]) => [name, valueAt(param, frame)])),
      })),
    }
    const data = 'data' in layer ? resolveAnimatables(layer.data, frame) : undefined
    const state = { ...base, kind: layer.kind, data } as LayerState

    if (layer.kind === 'video') {
      const sourceFrame = videoSourceFrame(layer, frame)
      state.source = { frame: sourceFrame, time: sourceFrame / composition.fps }
    } else if (layer.kind === 'camera') {
      const parentIndex = layer.parentId === null ? undefined : indexById.get(layer.parentId)
      const parentWorld = parentIndex === undefined ? null : (worlds[parentIndex] as Mat4)
      state.camera = cameraState(composition, frame, { layer, world: worldMatrix, parentWorld }, options)
    } else if (layer.kind === 'nestedComposition') {
      const childId = layer.data.compositionId
      const child = Object.hasOwn(document.compositions, childId) ? document.compositions[childId] : undefined
      // The schema refuses nesting loops; the stack check keeps a bad document from recursing forever.
      if (!inRange || !child || innerStack.includes(childId)) state.nested = null
      else {
        const childFrame = nestedFrame(layer, frame, composition.fps, child.fps)
        state.nested = {
          compositionId: childId,
          frame: childFrame,
          composition: evaluate(document, childId, childFrame, options, innerStack),
        }
      }
    }
    return state
  })

  const active = states.find((state) => state.kind === 'camera' && isCameraActive(layers[state.index] as LayerOfKind<'camera'>, frame))
  return {
    id: composition.id,
    name: composition.name,
    width: composition.width,
    height: composition.height,
    fps: composition.fps,
    frameCount: composition.frameCount,
    frame,
    backgroundColor: composition.backgroundColor,
    layers: states,
    camera: active?.camera ?? cameraState(composition, frame, null, options),
  }
}

function resolveTrackMatte(layers: readonly Layer[], layer: Layer, index: number): LayerStateBase['trackMatte'] {
  const { mode, layerId } = layer.trackMatte
  if (mode === 'none') return { mode, layerId: null }
  return { mode, layerId: layerId ?? layers[index - 1]?.id ?? null }
}
