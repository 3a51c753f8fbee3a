/** RGBA pixels (rows from the top, straight alpha) drawn on a 2D canvas, ready to encode. */
function pixelsOnCanvas(pixels: Uint8ClampedArray, width: number, height: number): HTMLCanvasElement {
  const canvas = Object.assign(document.createElement('canvas'), { width, height })
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('2D canvas is not available')
  ctx.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, width, height), 0, 0)
  return canvas
}

/** The pixels as a PNG data URL. */
export function pngDataUrl(pixels: Uint8ClampedArray, width: number, height: number): string {
  return pixelsOnCanvas(pixels, width, height).toDataURL('image/png')
}

/** The pixels as a PNG file. */
export function pngBlob(pixels: Uint8ClampedArray, width: number, height: number): Promise<Blob> {
  const canvas = pixelsOnCanvas(pixels, width, height)
  return new Promise((resolve, reject) => canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('PNG encoding failed'))), 'image/png'))
}
