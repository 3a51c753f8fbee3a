import { normalFromDepth } from '../../export/normal-map'
import sharp from 'sharp'
import { checkImage, colourPng } from './image'

/**
 * Normal maps from a depth image, computed by the export's ControlNet v1.0 depth-to-normal code
 * (server/export/normal-map.ts): R > 127 where the surface comes nearer to the right, G > 127 where
 * it comes nearer downwards, B toward the camera. The flips serve tools with other conventions:
 * `flipX` writes 255 − R, `flipY` 255 − G (e.g. NormalBAE's "R = left, G = up" reading).
 */
export interface NormalOptions {
  /** The depth is white = far (ZoeDepth-style): turn it into nearness first. */
  invert?: boolean
  flipX?: boolean
  flipY?: boolean
  /** Fraction of the depth range below which the annotator leaves the background flat (0.1). */
  backgroundThreshold?: number
}

export interface NormalResult {
  /** Interleaved RGB. */
  rgb: Uint8Array
  width: number
  height: number
}

/** Normals from grey levels (8- or 16-bit), white = near unless `invert`. */
export function normalsFromDepth(depth: Uint8Array | Uint16Array, width: number, height: number, options: NormalOptions = {}): NormalResult {
  let levels = depth
  if (options.invert) {
    const white = depth instanceof Uint16Array ? 65535 : 255
    levels = depth instanceof Uint16Array ? depth.map((v) => white - v) : depth.map((v) => white - v)
  }
  const rgba = normalFromDepth(levels, width, height, options.backgroundThreshold ?? 0.1)
  const rgb = new Uint8Array(width * height * 3)
  for (let i = 0, n = width * height; i < n; i++) {
    const r = rgba[i * 4]!
    const g = rgba[i * 4 + 1]!
    rgb[i * 3] = options.flipX ? 255 - r : r
    rgb[i * 3 + 1] = options.flipY ? 255 - g : g
    rgb[i * 3 + 2] = rgba[i * 4 + 2]!
  }
  return { rgb, width, height }
}

/** Reads a grey depth image (8- or 16-bit PNG, or any image: its luminance) into levels. */
export async function readDepthImage(input: Buffer | Uint8Array | string): Promise<{ levels: Uint8Array | Uint16Array; width: number; height: number }> {
  const meta = await checkImage(input)
  const sixteen = meta.depth === 'ushort'
  const { data, info } = await sharp(input)
    .toColourspace(sixteen ? 'grey16' : 'b-w')
    .extractChannel(0)
    .raw({ depth: sixteen ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true })
  const levels = sixteen ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) : new Uint8Array(data)
  return { levels, width: info.width, height: info.height }
}

/** Depth image in, RGB normal-map PNG out. */
export async function normalMapPng(depthImage: Buffer | Uint8Array | string, options: NormalOptions = {}): Promise<Buffer> {
  const { levels, width, height } = await readDepthImage(depthImage)
  const { rgb } = normalsFromDepth(levels, width, height, options)
  return colourPng(rgb, width, height, 3)
}
