import { describe, expect, it } from 'vitest'
import { greyPng } from '../../../../server/ml/tasks/image'
import { normalMapPng, normalsFromDepth } from '../../../../server/ml/tasks/normals'
import sharp from 'sharp'

/** A sphere's nearness (white = near) on a black background, 8- or 16-bit. */
function sphere(size: number, bits: 8 | 16): Uint8Array | Uint16Array {
  const white = bits === 8 ? 255 : 65535
  const out = bits === 8 ? new Uint8Array(size * size) : new Uint16Array(size * size)
  const r = size * 0.4
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - size / 2
      const dy = y + 0.5 - size / 2
      const h = r * r - dx * dx - dy * dy
      out[y * size + x] = h > 0 ? Math.round((0.5 + 0.5 * Math.sqrt(h) / r) * white) : 0
    }
  }
  return out
}

const px = (rgb: Uint8Array, width: number, x: number, y: number) => [...rgb.subarray((y * width + x) * 3, (y * width + x) * 3 + 3)]

describe('normals from depth', () => {
  const S = 64
  const depth = sphere(S, 8)
  const plain = normalsFromDepth(depth, S, S)
  // Right side of the sphere: nearness falls to the right → R < 127; lower side: falls downwards → G < 127.
  const right = px(plain.rgb, S, 48, 32)
  const below = px(plain.rgb, S, 32, 48)

  it('follows the ControlNet annotator: centre faces the camera, sides tilt', () => {
    expect(px(plain.rgb, S, 32, 32)[2]).toBeGreaterThan(240)
    expect(right[0]).toBeLessThan(100)
    expect(below[1]).toBeLessThan(100)
    expect(px(plain.rgb, S, 16, 32)[0]).toBeGreaterThan(155)
  })

  it('flipX writes 255 − R, flipY 255 − G, nothing else changes', () => {
    const x = normalsFromDepth(depth, S, S, { flipX: true })
    const y = normalsFromDepth(depth, S, S, { flipY: true })
    for (let i = 0; i < S * S; i++) {
      expect(x.rgb[i * 3]).toBe(255 - plain.rgb[i * 3]!)
      expect(x.rgb[i * 3 + 1]).toBe(plain.rgb[i * 3 + 1])
      expect(y.rgb[i * 3 + 1]).toBe(255 - plain.rgb[i * 3 + 1]!)
      expect(y.rgb[i * 3 + 2]).toBe(plain.rgb[i * 3 + 2])
    }
  })

  it('invert reads white-far depth: a ramp brightening to the right then tilts the other way', () => {
    const ramp = Uint8Array.from({ length: 8 * 4 }, (_, i) => 40 + 20 * (i % 8))
    const near = normalsFromDepth(ramp, 8, 4)
    const far = normalsFromDepth(ramp, 8, 4, { invert: true })
    expect(px(near.rgb, 8, 3, 1)[0]).toBeGreaterThan(200)
    expect(px(far.rgb, 8, 3, 1)[0]).toBeLessThan(55)
  })

  it('16-bit depth PNG in (read at 16 bits), RGB normal PNG out', async () => {
    const sixteen = sphere(S, 16)
    const png = await normalMapPng(await greyPng(sixteen, S, S), { flipY: true })
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true })
    expect([info.width, info.height, info.channels]).toEqual([S, S, 3])
    // Read back at 16 bits: equal to the 16-bit levels' normals (8-bit levels quantise the slopes differently).
    expect([...data]).toEqual([...normalsFromDepth(sixteen, S, S, { flipY: true }).rgb])
    expect(px(new Uint8Array(data), S, 32, 48)[1]).toBeGreaterThan(155)
  })
})
