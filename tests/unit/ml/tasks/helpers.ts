import sharp from 'sharp'

/** A filled disc on a plain background, as an encoded PNG (from SVG through sharp). */
export async function discPng(width: number, height: number, disc: { cx: number; cy: number; r: number; fill: string }, background = '#202020'): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${background}"/><circle cx="${disc.cx}" cy="${disc.cy}" r="${disc.r}" fill="${disc.fill}"/></svg>`
  return sharp(Buffer.from(svg)).png().toBuffer()
}

export const insideDisc = (x: number, y: number, d: { cx: number; cy: number; r: number }) => (x + 0.5 - d.cx) ** 2 + (y + 0.5 - d.cy) ** 2 <= d.r ** 2

/** IoU of `mask > threshold` against a disc. */
export function discIoU(mask: Uint8Array, width: number, height: number, d: { cx: number; cy: number; r: number }, threshold = 127): number {
  let both = 0
  let either = 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = mask[y * width + x]! > threshold
      const b = insideDisc(x, y, d)
      if (a && b) both++
      if (a || b) either++
    }
  }
  return either ? both / either : 0
}

/** Decodes a PNG's first channel: 8- or 16-bit levels. */
export async function readGrey(png: Buffer): Promise<{ levels: Uint8Array | Uint16Array; width: number; height: number; bits: 8 | 16 }> {
  const meta = await sharp(png).metadata()
  const sixteen = meta.depth === 'ushort'
  const { data, info } = await sharp(png).toColourspace(sixteen ? 'grey16' : 'b-w').extractChannel(0).raw({ depth: sixteen ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true })
  const levels = sixteen ? new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) : new Uint8Array(data)
  return { levels, width: info.width, height: info.height, bits: sixteen ? 16 : 8 }
}
