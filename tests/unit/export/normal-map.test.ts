import { describe, expect, it } from 'vitest'
import { normalFromDepth } from '../../../server/export/normal-map'

/**
 * Hand-computed values. A 3×3 Sobel of a plane rising by s per pixel gives 2·(1 + 2 + 1)·s = 8s;
 * the normal is (gx, gy, 2π) / |(gx, gy, 2π)| and each channel floor(n·127.5 + 127.5).
 */

function pixel(normals: Uint8Array, width: number, x: number, y: number): number[] {
  const i = (y * width + x) * 4
  return [...normals.subarray(i, i + 4)]
}

function plane(width: number, height: number, level: (x: number, y: number) => number): Uint8Array {
  return Uint8Array.from({ length: width * height }, (_, i) => level(i % width, Math.floor(i / width)))
}

describe('normalFromDepth', () => {
  it('a flat depth faces the camera: (127, 127, 255)', () => {
    const normals = normalFromDepth(plane(4, 3, () => 100), 4, 3)
    for (let i = 0; i < 12; i++) expect(pixel(normals, 4, i % 4, Math.floor(i / 4))).toEqual([127, 127, 255, 255])
  })

  it('a plane coming nearer to the right: gx = 8·2 = 16, n = (16, 0, 2π)/17.18949 → (246, 127, 174)', () => {
    // 16/17.18949 = 0.930799 → 246.18; 2π/17.18949 = 0.365525 → 174.10.
    const normals = normalFromDepth(plane(6, 4, (x) => 10 + 2 * x), 6, 4)
    for (let y = 0; y < 4; y++) {
      for (let x = 1; x < 5; x++) expect(pixel(normals, 6, x, y)).toEqual([246, 127, 174, 255])
      // cv2's reflect-101 border mirrors the neighbour, so the x gradient is 0 at the left and right edges.
      expect(pixel(normals, 6, 0, y)).toEqual([127, 127, 255, 255])
      expect(pixel(normals, 6, 5, y)).toEqual([127, 127, 255, 255])
    }
  })

  it('a plane going away downwards: gy = 8·(−3) = −24, n = (0, −24, 2π)/24.80883 → (127, 4, 159)', () => {
    // −24/24.80883 = −0.967403 → 4.16; 2π/24.80883 = 0.253265 → 159.79.
    const normals = normalFromDepth(plane(3, 5, (_, y) => 200 - 3 * y), 3, 5)
    for (let y = 1; y < 4; y++) for (let x = 0; x < 3; x++) expect(pixel(normals, 3, x, y)).toEqual([127, 4, 159, 255])
  })

  it('16-bit levels give the same normals as the 8-bit ones they extend', () => {
    const levels = plane(6, 4, (x, y) => 10 + 2 * x + 7 * y)
    const wide = Uint16Array.from(levels, (v) => v * 257)
    expect(normalFromDepth(wide, 6, 4)).toEqual(normalFromDepth(levels, 6, 4))
  })

  it('background (below 10% of the depth span) stays flat; the object\'s edge gets the step', () => {
    // Columns 0–2 empty (0), 3–4 an object at 200. At x = 3: gx = 4·(200 − 0) = 800,
    // n = (800, 0, 2π)/800.02467 → (254.996, 127.5, 128.50) → (254, 127, 128).
    const normals = normalFromDepth(plane(5, 3, (x) => (x >= 3 ? 200 : 0)), 5, 3)
    for (let y = 0; y < 3; y++) {
      expect(pixel(normals, 5, 2, y)).toEqual([127, 127, 255, 255])
      expect(pixel(normals, 5, 3, y)).toEqual([254, 127, 128, 255])
      expect(pixel(normals, 5, 4, y)).toEqual([127, 127, 255, 255])
    }
    // With no background threshold the empty side of the edge gets its gradient too.
    expect(pixel(normalFromDepth(plane(5, 3, (x) => (x >= 3 ? 200 : 0)), 5, 3, 0), 5, 2, 1)).toEqual([254, 127, 128, 255])
  })

  it('refuses a size that does not match', () => {
    expect(() => normalFromDepth(new Uint8Array(5), 2, 2)).toThrow('A 2×2 depth image has 4 values, got 5.')
  })
})
