/**
 * Wan video models take 4n+1 frames (81 by default) at sizes that are multiples of 16: the
 * largest range and size within the given ones that fit.
 */
export function wanFit(frames: number, width: number, height: number): { frames: number; width: number; height: number } {
  return {
    frames: frames >= 1 ? Math.floor((frames - 1) / 4) * 4 + 1 : 0,
    width: Math.floor(width / 16) * 16,
    height: Math.floor(height / 16) * 16,
  }
}
