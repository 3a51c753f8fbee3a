/**
 * The usual extension of each picture and video type Lattice accepts (detect.ts). Copies of an
 * asset are named from its detected type, since its name is the user's and may have none.
 */
const EXTENSIONS: Record<string, string> = {
  'image/png': '.png',
  'image/apng': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
  'image/gif': '.gif',
  'image/avif': '.avif',
  'image/tiff': '.tif',
  'image/bmp': '.bmp',
  'video/mp4': '.mp4',
  'video/x-m4v': '.m4v',
  'video/quicktime': '.mov',
  'video/webm': '.webm',
  'video/matroska': '.mkv',
  'video/vnd.avi': '.avi',
}

export function extensionFor(mime: string): string | undefined {
  return EXTENSIONS[mime]
}
