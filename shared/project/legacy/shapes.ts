import type { BezierPath } from '../masks'
import type { Shape, ShapeFill, ShapeStroke } from '../shapes'
import { type Warn, importAnimatable } from './animatable'
import { type Raw, asRecord, clamp, colorOf, isRecord, num, str, vec2Of } from './read'

const numberOf = (value: unknown) => num(value)
const radiusOf = (value: unknown) => {
  const n = num(value)
  return n === undefined ? undefined : Math.max(0, n)
}

/** Legacy shape paths use `{ point: {x,y}, inHandle, outHandle }` vertices. */
function shapePathOf(value: unknown): BezierPath | undefined {
  if (!isRecord(value) || !Array.isArray(value.vertices)) return undefined
  const vertices: BezierPath['vertices'] = []
  for (const v of value.vertices) {
    const point = isRecord(v) ? vec2Of(v.point) : undefined
    if (!isRecord(v) || !point) return undefined
    vertices.push({ point, inTangent: vec2Of(v.inHandle) ?? [0, 0], outTangent: vec2Of(v.outHandle) ?? [0, 0] })
  }
  return { closed: value.closed !== false, vertices }
}

/** Our fills and strokes are static; an animated legacy colour keeps its base value. */
function staticColor(raw: unknown, what: string, warn: Warn): { color: string; alpha: number } {
  const prop = asRecord(raw)
  if (Array.isArray(prop.keyframes) && prop.keyframes.length > 0) {
    warn(`animated ${what} colour is not supported; kept its base value.`)
  }
  const value = 'value' in prop ? prop.value : raw
  const color = colorOf(value) ?? '#ffffff'
  const alpha = isRecord(value) ? clamp(num(value.a) ?? 1, 0, 1) : 1
  return { color: color.slice(0, 7), alpha }
}

const staticNumber = (raw: unknown, fallback: number): number => num(asRecord(raw).value) ?? num(raw) ?? fallback

function fillOf(item: Raw, warn: Warn): ShapeFill {
  const { color, alpha } = staticColor(item.color, 'fill', warn)
  return { color, opacity: clamp(staticNumber(item.opacity, 100) * alpha, 0, 100) }
}

function strokeOf(item: Raw, warn: Warn): ShapeStroke {
  const { color, alpha } = staticColor(item.color, 'stroke', warn)
  return {
    color,
    width: Math.max(0, staticNumber(item.width, 1)),
    opacity: clamp(staticNumber(item.opacity, 100) * alpha, 0, 100),
  }
}

type Paint = { fill: ShapeFill | null; stroke: ShapeStroke | null }

function generatorOf(item: Raw, paint: Paint, warn: Warn): Shape | null {
  const name = str(item.name) ?? String(item.type)
  const label = `shape "${name}"`
  const prop = <T>(key: string, map: (v: unknown) => T | undefined, fallback: T) =>
    importAnimatable(item[key], map, fallback, `${label} ${key}`, warn)
  const base = { name, ...paint }
  switch (item.type) {
    case 'rectangle':
      return {
        type: 'rectangle',
        ...base,
        position: prop('position', vec2Of, [0, 0]),
        size: prop('size', vec2Of, [100, 100]),
        roundness: prop('roundness', radiusOf, 0),
      }
    case 'ellipse':
      return { type: 'ellipse', ...base, position: prop('position', vec2Of, [0, 0]), size: prop('size', vec2Of, [100, 100]) }
    case 'polygon':
    case 'star':
      return {
        type: 'polygon',
        ...base,
        position: prop('position', vec2Of, [0, 0]),
        // Our point count is static: a keyframed count keeps its base value.
        points: Math.round(clamp(staticNumber(item.points, 5), 3, 100)),
        outerRadius: prop('outerRadius', radiusOf, 50),
        innerRadius: item.type === 'star' ? prop('innerRadius', radiusOf, 25) : null,
        rotation: prop('rotation', numberOf, 0),
      }
    case 'path':
      return { type: 'path', ...base, path: prop('path', shapePathOf, { closed: true, vertices: [] }) }
    default:
      return null
  }
}

const GENERATORS = new Set(['rectangle', 'ellipse', 'polygon', 'star', 'path'])

/**
 * Flattens legacy shape contents (groups of generators, fills, strokes and operators) into our
 * flat shape list. As in After Effects, a fill or stroke paints every path in its group and
 * nested groups; operators, gradients and group transforms have no equivalent and are reported.
 */
export function importShapes(contents: unknown, warn: Warn): Shape[] {
  const shapes: Shape[] = []
  const dropped = new Set<string>()
  const walk = (items: unknown, inherited: Paint): void => {
    if (!Array.isArray(items)) return
    const records = items.filter(isRecord)
    const fill = records.find((item) => item.type === 'fill')
    const stroke = records.find((item) => item.type === 'stroke')
    const paint: Paint = {
      fill: fill ? fillOf(fill, warn) : inherited.fill,
      stroke: stroke ? strokeOf(stroke, warn) : inherited.stroke,
    }
    for (const item of records) {
      const type = String(item.type)
      if (type === 'group') walk(item.contents, paint)
      else if (GENERATORS.has(type)) {
        const shape = generatorOf(item, paint, warn)
        if (shape) shapes.push(shape)
      } else if (type !== 'fill' && type !== 'stroke') dropped.add(type)
    }
  }
  walk(contents, { fill: null, stroke: null })
  if (dropped.size > 0) warn(`shape features ${[...dropped].map((t) => `"${t}"`).join(', ')} are not supported; dropped.`)
  return shapes
}
