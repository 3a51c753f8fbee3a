import type { CameraLayerData, SolidLayerData, TextLayerData } from '../layer-data'
import type { LayerInput } from '../layers'
import type { AnimatableProperty, Vec3 } from '../properties'
import { type Warn, importAnimatable } from './animatable'
import { type Raw, asRecord, bool, clamp, colorOf, num, str, vec3Of } from './read'
import { importShapes } from './shapes'

/** What a legacy layer type becomes: our kind and data, minus the fields all layers share. */
export type KindPart = { [L in LayerInput as L['kind']]: Omit<L, Exclude<keyof L, 'kind' | 'data'>> }[LayerInput['kind']]

export type KindOutcome =
  | { outcome: 'mapped'; part: KindPart; position?: AnimatableProperty<Vec3> }
  /** Kept as a null layer so its timing and children survive; `reason` says what was lost. */
  | { outcome: 'placeholder'; reason: string }
  /** Dropped, unless other layers are parented to it. */
  | { outcome: 'unsupported'; reason: string }

export interface KindContext {
  compWidth: number
  compHeight: number
  /** The original file name of a legacy asset, for telling users what to re-upload. */
  assetName: (id: unknown) => string | undefined
  warn: Warn
}

const UNSUPPORTED: Record<string, string> = {
  particles: 'particle layers are not supported',
  particle: 'particle layers are not supported',
  model: '3D model layers are not supported',
  pointcloud: 'point cloud layers are not supported',
  pose: 'pose layers are not supported',
  light: 'light layers are not supported',
  spline: 'spline layers are not supported',
  path: 'spline layers are not supported',
  normal: 'normal map layers are not supported',
  generated: 'generated map layers are not supported',
  matte: 'procedural matte layers are not supported',
  depthflow: 'depthflow layers are not supported; use a depth layer instead',
}

/** Legacy asset ids are not our asset rows, so media layers cannot keep their media. */
function mediaPlaceholder(data: Raw, ctx: KindContext): KindOutcome {
  const names = [data.assetId, data.depthAssetId].map(ctx.assetName).filter((n): n is string => !!n)
  const which = names.length > 0 ? ` (${names.map((n) => `"${n}"`).join(', ')})` : ''
  return { outcome: 'placeholder', reason: `its media${which} must be re-uploaded` }
}

const nonNegative = (value: unknown) => {
  const n = num(value)
  return n === undefined ? undefined : Math.max(0, n)
}

function fontWeightOf(value: unknown): number {
  const named: Record<string, number> = { normal: 400, bold: 700, lighter: 300, bolder: 800 }
  const n = num(value) ?? (typeof value === 'string' ? (named[value] ?? Number.parseInt(value, 10)) : Number.NaN)
  return Number.isFinite(n) ? Math.round(clamp(n, 1, 1000)) : 400
}

function textOf(data: Raw, warn: Warn): TextLayerData {
  const size = num(data.fontSize)
  const fontSize = size !== undefined && size > 0 ? size : 48
  const leading = num(data.lineHeight) ?? num(data.lineSpacing) ?? 1.2
  const stroke = colorOf(data.stroke)
  const strokeWidth = num(data.strokeWidth) ?? 0
  const align = data.textAlign
  if (str(data.pathLayerId)) warn('text on a path is not supported; laid out on a straight line.')
  return {
    text: str(data.text) ?? '',
    fontFamily: str(data.fontFamily) || 'sans-serif',
    fontSize,
    fontWeight: fontWeightOf(data.fontWeight),
    fill: colorOf(data.fill) ?? '#ffffff',
    stroke: stroke && strokeWidth > 0 ? { color: stroke, width: strokeWidth } : null,
    align: align === 'center' || align === 'right' ? align : 'left',
    // Small values are multipliers; large ones can only be leading in pixels.
    lineHeight: leading <= 0 ? 1.2 : leading <= 4 ? leading : leading / fontSize,
    letterSpacing: num(data.letterSpacing) ?? num(data.tracking) ?? 0,
  }
}

/** three.js field of view is vertical: zoom is the distance at which the comp height fills it. */
const zoomFromFov = (compHeight: number) => (fov: unknown) => {
  const degrees = num(fov)
  if (degrees === undefined || degrees <= 0 || degrees >= 180) return undefined
  return compHeight / 2 / Math.tan((degrees * Math.PI) / 360)
}

function cameraOf(data: Raw, ctx: KindContext): { data: CameraLayerData; position?: AnimatableProperty<Vec3> } {
  const target = data.animatedTarget
  const fov = num(asRecord(data.animatedFov).value)
  const dof = asRecord(data.depthOfField)
  if (asRecord(data.pathFollowing).enabled === true) ctx.warn('camera path following is not supported; dropped.')
  // The original kept its cameras (lens, position, target) in the editor, outside the project
  // file: a camera layer it saved names a camera id and nothing more, unless it was animated.
  const saved = ['animatedFov', 'animatedPosition', 'animatedTarget'].some((key) => data[key] !== undefined)
  if (!saved) ctx.warn('the file holds no settings for this camera (the original kept them outside the project); using a default camera.')
  const result: CameraLayerData = {
    cameraType: target === undefined ? 'oneNode' : 'twoNode',
    zoom: importAnimatable(data.animatedFov, zoomFromFov(ctx.compHeight), 1000, 'camera field of view', ctx.warn),
    pointOfInterest: importAnimatable<Vec3>(target, (v) => vec3Of(v), [0, 0, 0], 'camera target', ctx.warn),
    depthOfField: {
      enabled: bool(dof.enabled, false),
      focusDistance: Math.max(0, num(dof.focusDistance) ?? 1000),
      aperture: Math.max(0, num(dof.aperture) ?? 0),
    },
  }
  if (fov !== undefined && fov > 0 && fov < 180) result.fov = fov
  const position =
    data.animatedPosition === undefined
      ? undefined
      : importAnimatable<Vec3>(data.animatedPosition, (v) => vec3Of(v), [0, 0, 0], 'camera position', ctx.warn)
  return { data: result, position }
}

/**
 * Time remapping was renamed to a speed map (December 2025); newer files write both names, and
 * the property editor updates only `speedMap`, so the new name wins.
 */
function nestedCompositionOf(data: Raw, ctx: KindContext): KindOutcome {
  const compositionId = str(data.compositionId)
  if (!compositionId) return { outcome: 'placeholder', reason: 'it names no composition' }
  const part: KindPart = { kind: 'nestedComposition', data: { compositionId } }
  const enabled = data.speedMapEnabled ?? data.timeRemapEnabled
  const remap = data.speedMap ?? data.timeRemap
  if (enabled === true && remap !== undefined && remap !== null) {
    part.data.timeRemap = importAnimatable(remap, nonNegative, 0, 'time remap', ctx.warn)
  }
  return { outcome: 'mapped', part }
}

/** Maps one legacy layer type (and its `data`) onto our kinds. */
export function importKind(type: string, raw: Raw, ctx: KindContext): KindOutcome {
  const data = asRecord(raw.data)
  const isAdjustment = raw.effectLayer === true || raw.adjustmentLayer === true
  // `adjustment` is the type's name before `effectLayer` (both stayed valid in the original).
  if (type === 'effectLayer' || type === 'adjustment' || (isAdjustment && ['solid', 'control', 'null'].includes(type))) {
    return { outcome: 'mapped', part: { kind: 'adjustment' } }
  }
  switch (type) {
    case 'image':
    case 'video':
    case 'audio':
    case 'depth':
      return mediaPlaceholder(data, ctx)
    case 'control':
    case 'null':
      return { outcome: 'mapped', part: { kind: 'null' } }
    case 'group':
      return { outcome: 'placeholder', reason: 'group layers are not supported' }
    case 'solid': {
      const solid: SolidLayerData = {
        color: colorOf(data.color) ?? '#808080',
        width: Math.max(1, Math.round(num(data.width) ?? ctx.compWidth)),
        height: Math.max(1, Math.round(num(data.height) ?? ctx.compHeight)),
      }
      return { outcome: 'mapped', part: { kind: 'solid', data: solid } }
    }
    case 'text':
      return { outcome: 'mapped', part: { kind: 'text', data: textOf(data, ctx.warn) } }
    case 'shape':
      return { outcome: 'mapped', part: { kind: 'shape', data: { shapes: importShapes(data.contents, ctx.warn) } } }
    case 'camera': {
      const camera = cameraOf(data, ctx)
      return { outcome: 'mapped', part: { kind: 'camera', data: camera.data }, position: camera.position }
    }
    // Nested compositions were `precomp` layers until December 19, 2025.
    case 'precomp':
    case 'nestedComp':
      return nestedCompositionOf(data, ctx)
    default:
      return { outcome: 'unsupported', reason: UNSUPPORTED[type] ?? `layer type "${type}" is not supported` }
  }
}
