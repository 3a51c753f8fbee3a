import { describe, expect, it } from 'vitest'
import { depthRangeOf, depthToLevels } from '../../../server/export/depth-levels'

/**
 * Range [100, 300]. Distances: near, middle, far, nearer than near, farther than far, then three
 * empty pixels (0, NaN, Infinity).
 */
const distance = new Float32Array([100, 200, 300, 50, 400, 0, Number.NaN, Infinity])
const range: [number, number] = [100, 300]

describe('depthToLevels', () => {
  it('normalized: near white, far black, linear between, empty black', () => {
    // The middle is 127.5 (or 32767.5) levels, rounded up.
    expect([...depthToLevels(distance, 4, 2, range, 'normalized', 8)]).toEqual([255, 128, 0, 255, 0, 0, 0, 0])
    expect([...depthToLevels(distance, 4, 2, range, 'normalized', 16)]).toEqual([65535, 32768, 0, 65535, 0, 0, 0, 0])
  })

  it('inverse: near/distance of white, so far is a third of it here; empty black', () => {
    // 100/200·255 = 127.5 → 128; 100/300·255 = 85; 100/300·65535 = 21845.
    expect([...depthToLevels(distance, 4, 2, range, 'inverse', 8)]).toEqual([255, 128, 85, 255, 85, 0, 0, 0])
    expect([...depthToLevels(distance, 4, 2, range, 'inverse', 16)]).toEqual([65535, 32768, 21845, 65535, 21845, 0, 0, 0])
  })

  it('metric: near black, far white, linear between, empty white', () => {
    expect([...depthToLevels(distance, 4, 2, range, 'metric', 8)]).toEqual([0, 128, 255, 0, 255, 255, 255, 255])
    expect([...depthToLevels(distance, 4, 2, range, 'metric', 16)]).toEqual([0, 32768, 65535, 0, 65535, 65535, 65535, 65535])
  })

  it('returns the array type of the bit depth', () => {
    expect(depthToLevels(distance, 8, 1, range, 'metric', 8)).toBeInstanceOf(Uint8Array)
    expect(depthToLevels(distance, 8, 1, range, 'metric', 16)).toBeInstanceOf(Uint16Array)
  })

  it('refuses a size that does not match and a range that is not near < far', () => {
    expect(() => depthToLevels(distance, 3, 3, range, 'normalized', 8)).toThrow('A 3×3 depth image has 9 values, got 8.')
    expect(() => depthToLevels(distance, 4, 2, [300, 100], 'normalized', 8)).toThrow('0 < near < far')
    expect(() => depthToLevels(distance, 4, 2, [0, 100], 'normalized', 8)).toThrow('0 < near < far')
  })
})

describe('depthRangeOf', () => {
  it('spans the pixels with a surface only', () => {
    expect(depthRangeOf(distance)).toEqual([50, 400])
  })

  it('is null when nothing is there', () => {
    expect(depthRangeOf(new Float32Array([0, Number.NaN, Infinity, -5]))).toBeNull()
  })
})
