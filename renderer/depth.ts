/**
 * Depth pass convention: grey = how near a pixel is, linear in eye-space distance (composition
 * pixels along the camera's axis), white = `near`, black = `far`; pixels no 3D layer covers are
 * black. Without an explicit range, near/far are the nearest and farthest depths drawn in this
 * frame (min–max normalisation, as MiDaS-style depth maps are); pass a range to keep the grey
 * levels stable across frames. A covered pixel with a zero-width range is white.
 */
export function depthToGrey(samples: Float32Array, width: number, height: number, range?: [number, number]): Uint8Array {
  let near = Infinity
  let far = -Infinity
  const count = width * height
  if (range) [near, far] = range
  else {
    for (let i = 0; i < count; i++) {
      if ((samples[i * 4 + 1] as number) < 0.5) continue
      const z = samples[i * 4] as number
      if (z < near) near = z
      if (z > far) far = z
    }
  }
  const out = new Uint8Array(count * 4)
  const span = far - near
  for (let i = 0; i < count; i++) {
    out[i * 4 + 3] = 255
    if ((samples[i * 4 + 1] as number) < 0.5) continue
    const z = samples[i * 4] as number
    const t = span > 1e-9 ? Math.min(1, Math.max(0, (far - z) / span)) : 1
    const grey = Math.round(t * 255)
    out[i * 4] = grey
    out[i * 4 + 1] = grey
    out[i * 4 + 2] = grey
  }
  return out
}

/** Eye distances from the depth target's samples (distance, coverage, -, -): 0 where uncovered. */
export function distances(samples: Float32Array, count: number): Float32Array {
  const out = new Float32Array(count)
  for (let i = 0; i < count; i++) {
    if ((samples[i * 4 + 1] as number) >= 0.5) out[i] = samples[i * 4] as number
  }
  return out
}
