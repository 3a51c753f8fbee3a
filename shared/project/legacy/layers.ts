import { BLEND_MODES, type BlendMode, TRACK_MATTE_MODES, type TrackMatteMode } from '../layer-common'
import type { LayerInput } from '../layers'
import type { Transform } from '../transform'
import type { Vec3 } from '../properties'
import { type Warn, importAnimatable } from './animatable'
import { importEffect } from './effects'
import { type KindContext, importKind } from './layer-kinds'
import { importMask } from './masks'
import { type Raw, asRecord, bool, clamp, num, str, vec3Of } from './read'

/** Legacy names are camelCase, kebab-case or snake_case; ours are camelCase. */
const camel = (name: string): string =>
  name.trim().replace(/[-_\s]+([a-zA-Z])/g, (_, c: string) => c.toUpperCase()).replace(/^[A-Z]/, (c) => c.toLowerCase())

const BLEND_ALIASES: Record<string, BlendMode> = {
  linearDodge: 'add',
  additive: 'add',
  classicColorDodge: 'colorDodge',
  classicColorBurn: 'colorBurn',
  classicDifference: 'difference',
}

function blendModeOf(raw: unknown, warn: Warn): BlendMode {
  if (raw === undefined) return 'normal'
  const name = camel(String(raw))
  if ((BLEND_MODES as readonly string[]).includes(name)) return name as BlendMode
  const alias = BLEND_ALIASES[name]
  if (alias) return alias
  warn(`blend mode "${String(raw)}" is not supported; using normal.`)
  return 'normal'
}

function matteModeOf(raw: unknown, warn: Warn): TrackMatteMode {
  if (raw === undefined || raw === null) return 'none'
  const name = camel(String(raw))
  if ((TRACK_MATTE_MODES as readonly string[]).includes(name)) return name as TrackMatteMode
  warn(`track matte type "${String(raw)}" is not supported; matte removed.`)
  return 'none'
}

const numberOf = (value: unknown) => num(value)
const percentOf = (value: unknown) => {
  const n = num(value)
  return n === undefined ? undefined : clamp(n, 0, 100)
}
const isAnimatedOrNonZero = (prop: unknown): boolean => {
  const p = asRecord(prop)
  return (Array.isArray(p.keyframes) && p.keyframes.length > 0) || (num(p.value) ?? 0) !== 0
}

/**
 * Legacy opacity sits on the layer; ours is part of the transform. The anchor was `anchor` (a
 * plain point), then `anchorPoint`, then `origin`; newer files write `origin` and `anchorPoint`
 * both, and only `origin` follows edits once a file has been reloaded.
 */
function importTransform(raw: Raw, warn: Warn): Transform {
  const t = asRecord(raw.transform)
  const vec3 = (key: string, label: string, fallback: Vec3, z = 0) =>
    importAnimatable<Vec3>(t[key], (v) => vec3Of(v, z), fallback, label, warn)
  // Some files keep Z rotation in `rotationZ` and leave `rotation` at its default.
  const rotation = !isAnimatedOrNonZero(t.rotation) && isAnimatedOrNonZero(t.rotationZ) ? t.rotationZ : t.rotation
  return {
    anchor: importAnimatable<Vec3>(t.origin ?? t.anchorPoint ?? t.anchor, (v) => vec3Of(v), [0, 0, 0], 'anchor point', warn),
    position: vec3('position', 'position', [0, 0, 0]),
    scale: vec3('scale', 'scale', [100, 100, 100], 100),
    rotation: importAnimatable(rotation, numberOf, 0, 'rotation', warn),
    rotationX: importAnimatable(t.rotationX, numberOf, 0, 'X rotation', warn),
    rotationY: importAnimatable(t.rotationY, numberOf, 0, 'Y rotation', warn),
    orientation: vec3('orientation', 'orientation', [0, 0, 0]),
    opacity: importAnimatable(raw.opacity ?? t.opacity, percentOf, 100, 'opacity', warn),
  }
}

export interface LayerImportContext extends KindContext {
  frameCount: number
  /** Whether other layers of the composition name this one as their parent. */
  isParent: boolean
}

/**
 * One legacy layer as ours, or null when it is dropped. Parent and matte ids are copied as they
 * are; the composition import checks them once every layer is known.
 */
export function importLayer(raw: Raw, id: string, ctx: LayerImportContext): LayerInput | null {
  const type = str(raw.type) ?? 'unknown'
  const kind = importKind(type, raw, ctx)
  if (kind.outcome === 'unsupported' && !ctx.isParent) {
    ctx.warn(`${kind.reason}; dropped.`)
    return null
  }
  if (kind.outcome !== 'mapped') {
    const because = kind.outcome === 'unsupported' ? ' because other layers are parented to it' : ''
    ctx.warn(`${kind.reason}; kept as a null layer${because}.`)
  }

  // Newer files write startFrame/endFrame and keep inPoint/outPoint as aliases that edits such as
  // splitting a layer leave stale, so the new names win.
  const inPoint = num(raw.startFrame) ?? num(raw.inPoint) ?? 0
  // Legacy out points name the last visible frame; ours are exclusive.
  const lastFrame = num(raw.endFrame) ?? num(raw.outPoint) ?? ctx.frameCount - 1
  let outPoint = lastFrame + 1
  if (outPoint <= inPoint) {
    ctx.warn(`out point ${lastFrame} is before in point ${inPoint}; shortened to one frame.`)
    outPoint = inPoint + 1
  }
  const transform = importTransform(raw, ctx.warn)
  if (kind.outcome === 'mapped' && kind.position) transform.position = kind.position
  const masks = Array.isArray(raw.masks) ? raw.masks.map((m, i) => importMask(m, i, ctx.warn)) : []
  const effects = Array.isArray(raw.effects) ? raw.effects.map((e, i) => importEffect(e, i, ctx.warn)) : []
  // Track mattes were renamed to `matte*` (December 2025); the old names stayed as aliases.
  const matteComposition = str(raw.matteCompositionId ?? raw.trackMatteCompositionId)
  const matteMode = matteModeOf(raw.matteType ?? raw.trackMatteType, ctx.warn)
  const matteLayerId = str(raw.matteLayerId ?? raw.trackMatteLayerId)
  if (matteComposition && matteMode !== 'none') {
    ctx.warn('track mattes from another composition are not supported; matte removed.')
  }

  return {
    ...(kind.outcome === 'mapped' ? kind.part : { kind: 'null' }),
    id,
    name: str(raw.name) || `${type} layer`,
    visible: bool(raw.visible, true),
    locked: bool(raw.locked, false),
    solo: bool(raw.isolate ?? raw.solo, false),
    shy: bool(raw.minimized ?? raw.shy, false),
    threeD: bool(raw.threeD, false),
    inPoint,
    outPoint,
    startTime: num(raw.startTime) ?? 0,
    parentId: str(raw.parentId) || null,
    blendMode: blendModeOf(raw.blendMode, ctx.warn),
    transform,
    masks: masks.filter((m) => m !== null),
    trackMatte: matteComposition
      ? { mode: 'none', layerId: null }
      : { mode: matteMode, layerId: matteMode === 'none' ? null : matteLayerId || null },
    effects: effects.filter((e) => e !== null),
  }
}
