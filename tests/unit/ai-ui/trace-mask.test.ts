import { describe, expect, it } from 'vitest'
import { maskContours, traceMask, type MaskPixels } from '../../../shared/ai/trace-mask'
import { bezierPathSchema } from '../../../shared/project'

/** A grey mask drawn by a predicate on pixel centres. */
function maskOf(width: number, height: number, inside: (x: number, y: number) => boolean, channels = 1): MaskPixels {
  const data = new Uint8Array(width * height * channels)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inside(x + 0.5, y + 0.5)) continue
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = 255
    }
  }
  return { width, height, data, channels }
}

const shoelace = (points: [number, number][]) => points.reduce((sum, a, i) => {
  const b = points[(i + 1) % points.length]!
  return sum + (a[0] * b[1] - b[0] * a[1]) / 2
}, 0)

describe('tracing a segmentation mask to a bezier mask path', () => {
  it('traces a disc to a closed path whose points lie on its circle', () => {
    const cx = 100
    const cy = 80
    const r = 50
    const result = traceMask(maskOf(200, 160, (x, y) => Math.hypot(x - cx, y - cy) <= r))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const { path } = result
    expect(path.closed).toBe(true)
    expect(bezierPathSchema.parse(path)).toEqual(path)
    expect(path.vertices.length).toBeGreaterThanOrEqual(8)
    expect(path.vertices.length).toBeLessThanOrEqual(64)
    for (const vertex of path.vertices) {
      expect(Math.abs(Math.hypot(vertex.point[0] - cx, vertex.point[1] - cy) - r)).toBeLessThanOrEqual(1.5)
      expect(vertex.inTangent).toEqual([0, 0])
    }
    // All the way round: the vertices' angles cover the circle with no big gap.
    const angles = path.vertices.map((v) => Math.atan2(v.point[1] - cy, v.point[0] - cx)).sort((a, b) => a - b)
    const gaps = angles.map((a, i) => (i === 0 ? angles[0]! + 2 * Math.PI - angles[angles.length - 1]! : a - angles[i - 1]!))
    expect(Math.max(...gaps)).toBeLessThan(Math.PI / 3)
    // Clockwise on screen (y down), the area of the disc.
    const area = shoelace(path.vertices.map((v) => v.point))
    expect(area).toBeGreaterThan(0)
    expect(Math.abs(area - Math.PI * r * r) / (Math.PI * r * r)).toBeLessThan(0.05)
  })

  it('traces a square to its four corners', () => {
    const result = traceMask(maskOf(100, 100, (x, y) => x > 20 && x < 70 && y > 30 && y < 80))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const corners: [number, number][] = [[20, 30], [70, 30], [70, 80], [20, 80]]
    expect(result.path.vertices).toHaveLength(4)
    for (const corner of corners) {
      const nearest = Math.min(...result.path.vertices.map((v) => Math.hypot(v.point[0] - corner[0], v.point[1] - corner[1])))
      expect(nearest).toBeLessThanOrEqual(1)
    }
    expect(result.area).toBeCloseTo(50 * 50, -2)
  })

  it('says there is nothing to trace in an empty mask, or a speck', () => {
    const empty = traceMask(maskOf(64, 48, () => false))
    expect(empty).toEqual({ ok: false, reason: expect.stringMatching(/nothing to trace/i) })
    const speck = traceMask(maskOf(64, 48, (x, y) => x > 10 && x < 11 && y > 10 && y < 11))
    expect(speck.ok).toBe(false)
    expect(traceMask({ width: 0, height: 0, data: [] }).ok).toBe(false)
  })

  it('keeps the largest outer contour, leaves holes and islands out, and reads RGBA', () => {
    // A ring (disc with a hole) and a small island.
    const mask = maskOf(120, 120, (x, y) => {
      const d = Math.hypot(x - 50, y - 50)
      return (d <= 40 && d >= 15) || (x > 100 && x < 110 && y > 100 && y < 110)
    }, 4)
    const contours = maskContours(mask)
    expect(contours).toHaveLength(3)
    const areas = contours.map((points) => shoelace(points)).sort((a, b) => a - b)
    expect(areas[0]).toBeLessThan(0) // the hole runs the other way
    const result = traceMask(mask)
    expect(result.ok && result.contours).toBe(2)
    if (!result.ok) return
    for (const vertex of result.path.vertices) expect(Math.abs(Math.hypot(vertex.point[0] - 50, vertex.point[1] - 50) - 40)).toBeLessThanOrEqual(1.5)
  })

  it('maps mask pixels onto the layer size and holds the vertex budget', () => {
    const mask = maskOf(100, 50, (x, y) => Math.hypot((x - 50) / 40, (y - 25) / 20) <= 1)
    const result = traceMask(mask, { size: { width: 400, height: 200 }, maxVertices: 12 })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.path.vertices.length).toBeLessThanOrEqual(12)
    const xs = result.path.vertices.map((v) => v.point[0])
    expect(Math.min(...xs)).toBeGreaterThan(35)
    expect(Math.max(...xs)).toBeLessThan(365)
    expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(300)
  })

  it('traces a mask that touches the picture edges and a saddle without losing its way', () => {
    const full = traceMask(maskOf(10, 10, () => true))
    expect(full.ok && full.path.vertices.length).toBe(4)
    const checker = maskOf(4, 4, (x, y) => (Math.floor(x) + Math.floor(y)) % 2 === 0)
    const contours = maskContours(checker)
    expect(contours.every((points) => points.length >= 3)).toBe(true)
  })
})
