/**
 * Normal maps from depth, computed the way ControlNet v1.0's depth-to-normal annotator does, so the
 * normal pass looks like what its normal model was trained on. The annotator
 * (lllyasviel/ControlNet, annotator/midas/__init__.py at e38d22aa, `apply_midas`; later `MidasDetector.__call__`):
 *
 *     x = cv2.Sobel(depth, cv2.CV_32F, 1, 0, ksize=3)
 *     y = cv2.Sobel(depth, cv2.CV_32F, 0, 1, ksize=3)
 *     z = np.ones_like(x) * a                      # a = 2π
 *     x[depth_pt < bg_th] = 0; y[depth_pt < bg_th] = 0   # depth_pt: depth min–max normalised, bg_th = 0.1
 *     normal = np.stack([x, y, z], axis=2); normal /= |normal|
 *     normal_image = (normal * 127.5 + 127.5).clip(0, 255).astype(np.uint8)
 *
 * `depth` there is MiDaS's output: larger is nearer. Here it is grey levels that are also larger
 * when nearer (depthToLevels' `inverse` or `normalized`), measured in 8-bit steps (16-bit levels are
 * divided by 257) so both bit depths give the same normals. MiDaS's raw output has no fixed scale,
 * so this fixes the one the gradients are taken in.
 *
 * Result: RGBA, alpha 255. R = x, G = y, B = z, in the order the annotator returns and displays them:
 * R above 127 where the surface comes nearer towards the right, G above 127 where it comes nearer
 * downwards (rows from the top), B 255 facing the camera; a flat area is (127, 127, 255). ControlNet
 * feeds its normal model this image with the channels reversed (gradio_normal2image.py:
 * `detected_map[:, :, ::-1]`), so a tool loading the PNG straight into that model must swap R and B.
 */

const Z = 2 * Math.PI

export function normalFromDepth(depth: Uint8Array | Uint16Array, width: number, height: number, backgroundThreshold = 0.1): Uint8Array {
  if (depth.length !== width * height) throw new Error(`A ${width}×${height} depth image has ${width * height} values, got ${depth.length}.`)
  const unit = depth instanceof Uint16Array ? 257 : 1
  let min = Infinity
  let max = -Infinity
  for (const d of depth) {
    if (d < min) min = d
    if (d > max) max = d
  }
  // numpy's 0/0 is NaN, and NaN < bg_th is false: a constant depth has no background.
  const background = max > min ? min + backgroundThreshold * (max - min) : -Infinity
  const at = (x: number, y: number) => depth[reflect(y, height) * width + reflect(x, width)]! / unit

  const normals = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let gx = 0
      let gy = 0
      if (depth[y * width + x]! >= background) {
        // 3×3 Sobel as cv2 applies it (correlation, not flipped): positive where depth grows right / down.
        gx = at(x + 1, y - 1) - at(x - 1, y - 1) + 2 * (at(x + 1, y) - at(x - 1, y)) + at(x + 1, y + 1) - at(x - 1, y + 1)
        gy = at(x - 1, y + 1) - at(x - 1, y - 1) + 2 * (at(x, y + 1) - at(x, y - 1)) + at(x + 1, y + 1) - at(x + 1, y - 1)
      }
      const length = Math.hypot(gx, gy, Z)
      const i = (y * width + x) * 4
      normals[i] = toByte(gx / length)
      normals[i + 1] = toByte(gy / length)
      normals[i + 2] = toByte(Z / length)
      normals[i + 3] = 255
    }
  }
  return normals
}

/** cv2's default border, BORDER_REFLECT_101: gfedcb|abcdefgh|gfedcba. */
function reflect(i: number, size: number): number {
  if (size === 1) return 0
  if (i < 0) return -i
  return i >= size ? 2 * size - 2 - i : i
}

/** numpy's astype(np.uint8) after clip truncates. */
function toByte(n: number): number {
  return Math.floor(Math.min(255, Math.max(0, n * 127.5 + 127.5)))
}
