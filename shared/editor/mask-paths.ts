/**
 * Editing a mask's bezier path point by point, as the canvas tools do: the pen appends vertices
 * and closes, vertices and tangents move, a vertex is inserted on a segment or deleted. Structural
 * edits (insert, delete) apply to the static value and to every keyframe alike, so an animated
 * path keeps one vertex count and still interpolates.
 */
import type { AnimatableProperty, BezierPath, BezierVertex } from '../project'

export type PathPoint = [number, number]
export type TangentSide = 'in' | 'out'

const add = (a: readonly number[], b: readonly number[]): PathPoint => [a[0]! + b[0]!, a[1]! + b[1]!]
const sub = (a: readonly number[], b: readonly number[]): PathPoint => [a[0]! - b[0]!, a[1]! - b[1]!]
const mix = (a: PathPoint, b: PathPoint, t: number): PathPoint => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
const copyVertex = (v: BezierVertex): BezierVertex => ({ point: [...v.point], inTangent: [...v.inTangent], outTangent: [...v.outTangent] })

/** How many segments the path draws: a closed path also joins its last vertex to its first. */
export function segmentCount(path: BezierPath): number {
  const n = path.vertices.length
  if (n < 2) return 0
  return path.closed ? n : n - 1
}

/** The four control points of segment `i` (vertex i to the next one). */
export function segmentControls(path: BezierPath, i: number): [PathPoint, PathPoint, PathPoint, PathPoint] {
  const a = path.vertices[i]!
  const b = path.vertices[(i + 1) % path.vertices.length]!
  return [[...a.point], add(a.point, a.outTangent), add(b.point, b.inTangent), [...b.point]]
}

function cubicAt([p0, p1, p2, p3]: [PathPoint, PathPoint, PathPoint, PathPoint], t: number): PathPoint {
  const u = 1 - t
  const a = u * u * u
  const b = 3 * u * u * t
  const c = 3 * u * t * t
  const d = t * t * t
  return [a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]]
}

export interface PathHit {
  segment: number
  t: number
  point: PathPoint
  distance: number
}

/**
 * The point of the path nearest to `target`: sampled, then refined around the best sample.
 * Null for a path with no segments.
 */
export function nearestOnPath(path: BezierPath, target: PathPoint, samples = 32): PathHit | null {
  let best: PathHit | null = null
  const consider = (segment: number, t: number, controls: [PathPoint, PathPoint, PathPoint, PathPoint]) => {
    const point = cubicAt(controls, t)
    const distance = Math.hypot(point[0] - target[0], point[1] - target[1])
    if (!best || distance < best.distance) best = { segment, t, point, distance }
  }
  for (let segment = 0; segment < segmentCount(path); segment++) {
    const controls = segmentControls(path, segment)
    for (let k = 0; k <= samples; k++) consider(segment, k / samples, controls)
  }
  const found = best as PathHit | null
  if (!found) return null
  // Ternary-style refinement between the neighbouring samples.
  const controls = segmentControls(path, found.segment)
  let lo = Math.max(0, found.t - 1 / samples)
  let hi = Math.min(1, found.t + 1 / samples)
  for (let round = 0; round < 24; round++) {
    const m1 = lo + (hi - lo) / 3
    const m2 = hi - (hi - lo) / 3
    const d1 = Math.hypot(...sub(cubicAt(controls, m1), target))
    const d2 = Math.hypot(...sub(cubicAt(controls, m2), target))
    if (d1 < d2) hi = m2
    else lo = m1
  }
  consider(found.segment, (lo + hi) / 2, controls)
  return best
}

/**
 * The path with a vertex inserted on `segment` at parameter `t` (de Casteljau), so the curve's
 * shape does not change: the neighbours' tangents shorten to the two halves. Returns the new
 * vertex's index too.
 */
export function splitSegment(path: BezierPath, segment: number, t: number): { path: BezierPath; index: number } {
  const n = path.vertices.length
  if (segment < 0 || segment >= segmentCount(path)) return { path, index: -1 }
  const [p0, p1, p2, p3] = segmentControls(path, segment)
  const q0 = mix(p0, p1, t)
  const q1 = mix(p1, p2, t)
  const q2 = mix(p2, p3, t)
  const r0 = mix(q0, q1, t)
  const r1 = mix(q1, q2, t)
  const s = mix(r0, r1, t)
  const vertices = path.vertices.map(copyVertex)
  const next = (segment + 1) % n
  vertices[segment]!.outTangent = sub(q0, p0)
  vertices[next]!.inTangent = sub(q2, p3)
  const index = segment + 1
  vertices.splice(index, 0, { point: s, inTangent: sub(r0, s), outTangent: sub(r1, s) })
  return { path: { closed: path.closed, vertices }, index }
}

/** Every path the property holds (the static value, then each keyframe's), for structural edits. */
function everyPath(property: AnimatableProperty<BezierPath>): BezierPath[] {
  return [property.value, ...property.keyframes.map((keyframe) => keyframe.value)]
}

function replaceEveryPath(property: AnimatableProperty<BezierPath>, edit: (path: BezierPath) => BezierPath): void {
  property.value = edit(property.value)
  for (const keyframe of property.keyframes) keyframe.value = edit(keyframe.value)
}

/**
 * Inserts a vertex on `segment` at `t` in the value and in every keyframe with the same vertex
 * count (each keyframe split on its own geometry), so the animation keeps interpolating.
 */
export function insertVertex(property: AnimatableProperty<BezierPath>, segment: number, t: number): number {
  const counts = new Set(everyPath(property).map((path) => path.vertices.length))
  if (counts.size !== 1) return -1
  let index = -1
  replaceEveryPath(property, (path) => {
    const split = splitSegment(path, segment, t)
    index = split.index
    return split.path
  })
  return index
}

/**
 * Deletes the vertices at `indices` from the value and every keyframe. Returns how many
 * vertices the value has left (the caller drops a mask left with none).
 */
export function deleteVertices(property: AnimatableProperty<BezierPath>, indices: ReadonlySet<number>): number {
  replaceEveryPath(property, (path) => ({
    closed: path.closed,
    vertices: path.vertices.filter((_, i) => !indices.has(i)).map(copyVertex),
  }))
  return property.value.vertices.length
}

/** The path with the vertices at `indices` moved by `delta` (their tangents move with them). */
export function moveVertices(path: BezierPath, indices: ReadonlySet<number>, delta: PathPoint): BezierPath {
  return {
    closed: path.closed,
    vertices: path.vertices.map((vertex, i) => (indices.has(i) ? { ...copyVertex(vertex), point: add(vertex.point, delta) } : copyVertex(vertex))),
  }
}

/**
 * The path with one tangent of vertex `index` set to `tangent` (relative to the vertex). With
 * `mirror` the other tangent becomes its opposite, the smooth vertex the pen makes.
 */
export function setTangent(path: BezierPath, index: number, side: TangentSide, tangent: PathPoint, mirror: boolean): BezierPath {
  const vertices = path.vertices.map(copyVertex)
  const vertex = vertices[index]
  if (!vertex) return path
  const opposite: PathPoint = [-tangent[0], -tangent[1]]
  if (side === 'out') {
    vertex.outTangent = [...tangent]
    if (mirror) vertex.inTangent = opposite
  } else {
    vertex.inTangent = [...tangent]
    if (mirror) vertex.outTangent = opposite
  }
  return { closed: path.closed, vertices }
}

/** The path with a corner vertex (no tangents) appended at `point`: the pen's click. */
export function appendVertex(path: BezierPath, point: PathPoint): BezierPath {
  return { closed: path.closed, vertices: [...path.vertices.map(copyVertex), { point: [...point], inTangent: [0, 0], outTangent: [0, 0] }] }
}

/** The path, closed. */
export function closePath(path: BezierPath): BezierPath {
  return { closed: true, vertices: path.vertices.map(copyVertex) }
}

/** Rounds coordinates to 1/100 pixel, so pointer-drawn paths read cleanly in the Properties panel. */
export function roundPoint(point: readonly number[]): PathPoint {
  return [Math.round(point[0]! * 100) / 100, Math.round(point[1]! * 100) / 100]
}
