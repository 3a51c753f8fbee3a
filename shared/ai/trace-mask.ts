import type { BezierPath } from '../project/masks'

/**
 * Turns a segmentation mask (a grey or RGBA picture, white inside) into an editable bezier mask
 * path: marching squares over the binary mask finds every contour at the pixel boundaries, the
 * largest outer one is kept (holes and small islands are left out), and Ramer–Douglas–Peucker
 * simplifies it to a modest number of vertices.
 */

export interface MaskPixels {
  width: number
  height: number
  /** Row-major samples, `channels` per pixel; the first channel is read (white = inside). */
  data: ArrayLike<number>
  /** 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA); default 1. */
  channels?: number
}

export interface TraceOptions {
  /** Samples at or above this are inside; default 128. */
  threshold?: number
  /**
   * The size of the layer space the path is for (an image layer's source pixels); the mask is
   * stretched onto it. Default: the mask's own size (layer space = mask pixels).
   */
  size?: { width: number; height: number }
  /** Most vertices the path may have; the tolerance grows until it fits. Default 64. */
  maxVertices?: number
  /** Largest distance, in mask pixels, a simplified edge may stray from the contour at first. Default 1. */
  tolerance?: number
  /** Contours enclosing fewer pixels than this count as nothing. Default 4. */
  minArea?: number
}

export type TraceResult =
  | {
      ok: true
      path: BezierPath
      /** Pixels the traced contour encloses, in mask pixels. */
      area: number
      /** Outer contours found (only the largest is traced). */
      contours: number
    }
  | { ok: false; reason: string }

type Point = [number, number]

/**
 * Every closed contour of the mask, at the iso line between inside and outside pixel centres
 * (pixel (x, y) covers [x, x+1]×[y, y+1]; its centre is (x+½, y+½)). Contours run with the inside
 * on a consistent side: outer contours have positive signed area (clockwise on screen, y down),
 * holes negative.
 */
export function maskContours(mask: MaskPixels, threshold = 128): Point[][] {
  const { width: w, height: h } = mask
  const channels = mask.channels ?? 1
  if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0) return []
  if (mask.data.length < w * h * channels) throw new Error(`The mask has ${mask.data.length} samples; ${w}×${h}×${channels} needs ${w * h * channels}.`)
  // Padded by one outside pixel on every side, so every contour closes.
  const pw = w + 2
  const ph = h + 2
  const inside = new Uint8Array(pw * ph)
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if ((mask.data[(y * w + x) * channels] as number) >= threshold) inside[(y + 1) * pw + x + 1] = 1
    }
  }
  // Edges between neighbouring pixel centres: horizontal ones (p, p+1) have ids 0..pw·ph−1,
  // vertical ones (p, p+pw) the next pw·ph. A crossed edge's contour point is its midpoint.
  const vertical = pw * ph
  const next = new Int32Array(2 * pw * ph).fill(-1)
  const link = (from: number, to: number) => { next[from] = to }
  for (let y = 0; y < ph - 1; y++) {
    for (let x = 0; x < pw - 1; x++) {
      const p = y * pw + x
      const tl = inside[p]!
      const tr = inside[p + 1]!
      const br = inside[p + pw + 1]!
      const bl = inside[p + pw]!
      const code = tl | (tr << 1) | (br << 2) | (bl << 3)
      if (code === 0 || code === 15) continue
      // The cell's edges walked clockwise (tl→tr→br→bl→tl): top, right, bottom, left. A step
      // from inside to outside is an exit, outside to inside an entry; each entry pairs with the
      // next exit clockwise (so the two inside corners of a saddle stay apart), and the contour
      // runs from the exit to the entry, keeping the inside on its right: outer contours go
      // clockwise on screen.
      const edges = [p, vertical + p + 1, p + pw, vertical + p]
      const corners = [tl, tr, br, bl]
      for (let i = 0; i < 4; i++) {
        if (corners[i] === 0 && corners[(i + 1) % 4] === 1) {
          for (let j = 1; j < 4; j++) {
            const k = (i + j) % 4
            if (corners[k] === 1 && corners[(k + 1) % 4] === 0) {
              link(edges[k]!, edges[i]!)
              break
            }
          }
        }
      }
    }
  }
  const pointOf = (edge: number): Point => {
    const vert = edge >= vertical
    const p = vert ? edge - vertical : edge
    const px = p % pw
    const py = (p - px) / pw
    // Padded centre (px, py) is pixel (px−1, py−1), whose centre is (px−½, py−½).
    return vert ? [px - 0.5, py] : [px, py - 0.5]
  }
  const contours: Point[][] = []
  const seen = new Uint8Array(next.length)
  for (let start = 0; start < next.length; start++) {
    if (next[start] === -1 || seen[start]) continue
    const contour: Point[] = []
    for (let edge = start; edge !== -1 && !seen[edge]; edge = next[edge]!) {
      seen[edge] = 1
      contour.push(pointOf(edge))
    }
    if (contour.length >= 3) contours.push(contour)
  }
  return contours
}

/** Twice the signed area (positive: clockwise on screen, y down). */
function signedArea2(points: readonly Point[]): number {
  let sum = 0
  for (let i = 0; i < points.length; i++) {
    const a = points[i]!
    const b = points[(i + 1) % points.length]!
    sum += a[0] * b[1] - b[0] * a[1]
  }
  return sum
}

function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  const lengthSq = dx * dx + dy * dy
  if (lengthSq === 0) return Math.hypot(p[0] - a[0], p[1] - a[1])
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / lengthSq))
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))
}

/** Ramer–Douglas–Peucker on an open polyline (first and last points kept); iterative. */
function simplifyOpen(points: readonly Point[], tolerance: number): Point[] {
  if (points.length <= 2) return [...points]
  const keep = new Uint8Array(points.length)
  keep[0] = 1
  keep[points.length - 1] = 1
  const stack: [number, number][] = [[0, points.length - 1]]
  while (stack.length > 0) {
    const [first, last] = stack.pop()!
    let farthest = -1
    let distance = tolerance
    for (let i = first + 1; i < last; i++) {
      const d = distanceToSegment(points[i]!, points[first]!, points[last]!)
      if (d > distance) {
        distance = d
        farthest = i
      }
    }
    if (farthest >= 0) {
      keep[farthest] = 1
      stack.push([first, farthest], [farthest, last])
    }
  }
  return points.filter((_, i) => keep[i] === 1)
}

/**
 * Ramer–Douglas–Peucker on a closed polygon: split at the point farthest from the first one,
 * simplify both halves, join them.
 */
export function simplifyClosed(points: readonly Point[], tolerance: number): Point[] {
  if (points.length <= 3) return [...points]
  const origin = points[0]!
  let split = 1
  let best = -1
  for (let i = 1; i < points.length; i++) {
    const d = Math.hypot(points[i]![0] - origin[0], points[i]![1] - origin[1])
    if (d > best) {
      best = d
      split = i
    }
  }
  const first = simplifyOpen(points.slice(0, split + 1), tolerance)
  const second = simplifyOpen([...points.slice(split), origin], tolerance)
  return [...first.slice(0, -1), ...second.slice(0, -1)]
}

/**
 * The mask's largest outer contour as a closed path of straight edges (zero tangents), clockwise
 * on screen, in layer space (see `TraceOptions.size`); or why there is nothing to trace.
 */
export function traceMask(mask: MaskPixels, options: TraceOptions = {}): TraceResult {
  const maxVertices = Math.max(3, Math.floor(options.maxVertices ?? 64))
  const minArea = options.minArea ?? 4
  const contours = maskContours(mask, options.threshold ?? 128)
  const outer = contours.map((points) => ({ points, area: signedArea2(points) / 2 })).filter((each) => each.area > 0)
  if (outer.length === 0) return { ok: false, reason: 'Nothing to trace: the mask is empty.' }
  const largest = outer.reduce((a, b) => (b.area > a.area ? b : a))
  if (largest.area < minArea) return { ok: false, reason: `Nothing to trace: the mask covers only ${Math.round(largest.area)} pixel(s).` }

  let tolerance = Math.max(0.05, options.tolerance ?? 1)
  let simplified = simplifyClosed(largest.points, tolerance)
  while (simplified.length > maxVertices) {
    tolerance *= 1.5
    simplified = simplifyClosed(largest.points, tolerance)
  }
  const sx = options.size ? options.size.width / mask.width : 1
  const sy = options.size ? options.size.height / mask.height : 1
  const round = (value: number) => Math.round(value * 100) / 100
  return {
    ok: true,
    area: largest.area,
    contours: outer.length,
    path: {
      closed: true,
      vertices: simplified.map(([x, y]) => ({ point: [round(x * sx), round(y * sy)] as [number, number], inTangent: [0, 0] as [number, number], outTangent: [0, 0] as [number, number] })),
    },
  }
}
