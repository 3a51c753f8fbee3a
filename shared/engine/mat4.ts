/**
 * 4×4 matrices as plain 16-number arrays in column-major order (the layout of three.js
 * `Matrix4.elements` and WebGL uniforms): element (row r, column c) is at index `c * 4 + r`.
 * Points are column vectors, so `multiply(a, b)` applies `b` first, then `a`.
 */
export type Mat4 = number[]
export type Vec3Like = readonly [number, number, number]

export const DEG = Math.PI / 180

export function identity(): Mat4 {
  return [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
}

export function multiply(a: readonly number[], b: readonly number[]): Mat4 {
  const out = new Array<number>(16)
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 4; r++) {
      let sum = 0
      for (let k = 0; k < 4; k++) sum += (a[k * 4 + r] as number) * (b[c * 4 + k] as number)
      out[c * 4 + r] = sum
    }
  }
  return out
}

/** `multiply` over any number of matrices, left to right (the last one applies first). */
export function compose(...matrices: (readonly number[])[]): Mat4 {
  return matrices.reduce<Mat4>((acc, m) => multiply(acc, m), identity())
}

export function translation(x: number, y: number, z: number): Mat4 {
  return [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, y, z, 1]
}

export function scaling(x: number, y: number, z: number): Mat4 {
  return [x, 0, 0, 0, 0, y, 0, 0, 0, 0, z, 0, 0, 0, 0, 1]
}

/** cos and sin of an angle in degrees, exact at multiples of 90° (so right angles give exact matrices). */
export function cosSinDegrees(degrees: number): [number, number] {
  const quarter = degrees / 90
  if (Number.isInteger(quarter)) {
    const q = ((quarter % 4) + 4) % 4
    return ([[1, 0], [0, 1], [-1, 0], [0, -1]] as const)[q] as [number, number]
  }
  const radians = degrees * DEG
  return [Math.cos(radians), Math.sin(radians)]
}

/** Right-handed rotation about X by `degrees` (y turns towards z). */
export function rotationX(degrees: number): Mat4 {
  const [c, s] = cosSinDegrees(degrees)
  return [1, 0, 0, 0, 0, c, s, 0, 0, -s, c, 0, 0, 0, 0, 1]
}

/** Right-handed rotation about Y by `degrees` (z turns towards x). */
export function rotationY(degrees: number): Mat4 {
  const [c, s] = cosSinDegrees(degrees)
  return [c, 0, -s, 0, 0, 1, 0, 0, s, 0, c, 0, 0, 0, 0, 1]
}

/** Right-handed rotation about Z by `degrees` (x turns towards y). */
export function rotationZ(degrees: number): Mat4 {
  const [c, s] = cosSinDegrees(degrees)
  return [c, s, 0, 0, -s, c, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
}

/** The inverse, or null when the matrix is singular (e.g. a layer scaled to 0 %). */
export function invert(m: readonly number[]): Mat4 | null {
  const [n11, n21, n31, n41, n12, n22, n32, n42, n13, n23, n33, n43, n14, n24, n34, n44] = m as Mat4 as [
    number, number, number, number, number, number, number, number,
    number, number, number, number, number, number, number, number,
  ]
  const t11 = n23 * n34 * n42 - n24 * n33 * n42 + n24 * n32 * n43 - n22 * n34 * n43 - n23 * n32 * n44 + n22 * n33 * n44
  const t12 = n14 * n33 * n42 - n13 * n34 * n42 - n14 * n32 * n43 + n12 * n34 * n43 + n13 * n32 * n44 - n12 * n33 * n44
  const t13 = n13 * n24 * n42 - n14 * n23 * n42 + n14 * n22 * n43 - n12 * n24 * n43 - n13 * n22 * n44 + n12 * n23 * n44
  const t14 = n14 * n23 * n32 - n13 * n24 * n32 - n14 * n22 * n33 + n12 * n24 * n33 + n13 * n22 * n34 - n12 * n23 * n34
  const det = n11 * t11 + n21 * t12 + n31 * t13 + n41 * t14
  if (det === 0 || !Number.isFinite(det)) return null
  const d = 1 / det
  return [
    t11 * d,
    (n24 * n33 * n41 - n23 * n34 * n41 - n24 * n31 * n43 + n21 * n34 * n43 + n23 * n31 * n44 - n21 * n33 * n44) * d,
    (n22 * n34 * n41 - n24 * n32 * n41 + n24 * n31 * n42 - n21 * n34 * n42 - n22 * n31 * n44 + n21 * n32 * n44) * d,
    (n23 * n32 * n41 - n22 * n33 * n41 - n23 * n31 * n42 + n21 * n33 * n42 + n22 * n31 * n43 - n21 * n32 * n43) * d,
    t12 * d,
    (n13 * n34 * n41 - n14 * n33 * n41 + n14 * n31 * n43 - n11 * n34 * n43 - n13 * n31 * n44 + n11 * n33 * n44) * d,
    (n14 * n32 * n41 - n12 * n34 * n41 - n14 * n31 * n42 + n11 * n34 * n42 + n12 * n31 * n44 - n11 * n32 * n44) * d,
    (n12 * n33 * n41 - n13 * n32 * n41 + n13 * n31 * n42 - n11 * n33 * n42 - n12 * n31 * n43 + n11 * n32 * n43) * d,
    t13 * d,
    (n14 * n23 * n41 - n13 * n24 * n41 - n14 * n21 * n43 + n11 * n24 * n43 + n13 * n21 * n44 - n11 * n23 * n44) * d,
    (n12 * n24 * n41 - n14 * n22 * n41 + n14 * n21 * n42 - n11 * n24 * n42 - n12 * n21 * n44 + n11 * n22 * n44) * d,
    (n13 * n22 * n41 - n12 * n23 * n41 - n13 * n21 * n42 + n11 * n23 * n42 + n12 * n21 * n43 - n11 * n22 * n43) * d,
    t14 * d,
    (n13 * n24 * n31 - n14 * n23 * n31 + n14 * n21 * n33 - n11 * n24 * n33 - n13 * n21 * n34 + n11 * n23 * n34) * d,
    (n14 * n22 * n31 - n12 * n24 * n31 - n14 * n21 * n32 + n11 * n24 * n32 + n12 * n21 * n34 - n11 * n22 * n34) * d,
    (n12 * n23 * n31 - n13 * n22 * n31 + n13 * n21 * n32 - n11 * n23 * n32 - n12 * n21 * n33 + n11 * n22 * n33) * d,
  ]
}

/** Applies `m` to the point `p` (w = 1), with the perspective divide. */
export function transformPoint(m: readonly number[], p: readonly number[]): [number, number, number] {
  const x = p[0] ?? 0
  const y = p[1] ?? 0
  const z = p[2] ?? 0
  const e = m as Mat4 as number[]
  const w = (e[3] as number) * x + (e[7] as number) * y + (e[11] as number) * z + (e[15] as number)
  const inv = w === 0 ? 1 : 1 / w
  return [
    ((e[0] as number) * x + (e[4] as number) * y + (e[8] as number) * z + (e[12] as number)) * inv,
    ((e[1] as number) * x + (e[5] as number) * y + (e[9] as number) * z + (e[13] as number)) * inv,
    ((e[2] as number) * x + (e[6] as number) * y + (e[10] as number) * z + (e[14] as number)) * inv,
  ]
}

/** Applies only the linear part of `m` (for directions). */
export function transformDirection(m: readonly number[], v: readonly number[]): [number, number, number] {
  const [x = 0, y = 0, z = 0] = v
  const e = m as number[]
  return [
    (e[0] as number) * x + (e[4] as number) * y + (e[8] as number) * z,
    (e[1] as number) * x + (e[5] as number) * y + (e[9] as number) * z,
    (e[2] as number) * x + (e[6] as number) * y + (e[10] as number) * z,
  ]
}

/** Column `c` (0..3) as a 3-vector: the basis vectors and (c = 3) the translation. */
export function column(m: readonly number[], c: number): [number, number, number] {
  return [m[c * 4] as number, m[c * 4 + 1] as number, m[c * 4 + 2] as number]
}

/** A matrix whose columns are the given basis vectors and translation. */
export function fromBasis(x: Vec3Like, y: Vec3Like, z: Vec3Like, t: Vec3Like = [0, 0, 0]): Mat4 {
  return [x[0], x[1], x[2], 0, y[0], y[1], y[2], 0, z[0], z[1], z[2], 0, t[0], t[1], t[2], 1]
}

/**
 * OpenGL / three.js perspective projection (`PerspectiveCamera.projectionMatrix`): camera looks
 * down −Z with +Y up; depth in [near, far] maps to NDC z in [−1, 1].
 */
export function perspective(fovYDegrees: number, aspect: number, near: number, far: number): Mat4 {
  const f = 1 / Math.tan((fovYDegrees * DEG) / 2)
  const nf = 1 / (near - far)
  return [f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) * nf, -1, 0, 0, 2 * far * near * nf, 0]
}

export const vec3 = {
  sub: (a: Vec3Like, b: Vec3Like): [number, number, number] => [a[0] - b[0], a[1] - b[1], a[2] - b[2]],
  cross: (a: Vec3Like, b: Vec3Like): [number, number, number] => [
    a[1] * b[2] - a[2] * b[1],
    a[2] * b[0] - a[0] * b[2],
    a[0] * b[1] - a[1] * b[0],
  ],
  length: (a: Vec3Like): number => Math.hypot(a[0], a[1], a[2]),
  normalize: (a: Vec3Like): [number, number, number] => {
    const l = Math.hypot(a[0], a[1], a[2])
    return l === 0 ? [0, 0, 0] : [a[0] / l, a[1] / l, a[2] / l]
  },
}

/** Unit quaternion [x, y, z, w] of a pure rotation matrix (three.js `Quaternion.setFromRotationMatrix`). */
export function rotationToQuaternion(m: readonly number[]): [number, number, number, number] {
  const [m11, m21, m31, , m12, m22, m32, , m13, m23, m33] = m as number[] as [number, number, number, number, number, number, number, number, number, number, number]
  const trace = m11 + m22 + m33
  if (trace > 0) {
    const s = 0.5 / Math.sqrt(trace + 1)
    return [(m32 - m23) * s, (m13 - m31) * s, (m21 - m12) * s, 0.25 / s]
  }
  if (m11 > m22 && m11 > m33) {
    const s = 2 * Math.sqrt(1 + m11 - m22 - m33)
    return [0.25 * s, (m12 + m21) / s, (m13 + m31) / s, (m32 - m23) / s]
  }
  if (m22 > m33) {
    const s = 2 * Math.sqrt(1 + m22 - m11 - m33)
    return [(m12 + m21) / s, 0.25 * s, (m23 + m32) / s, (m13 - m31) / s]
  }
  const s = 2 * Math.sqrt(1 + m33 - m11 - m22)
  return [(m13 + m31) / s, (m23 + m32) / s, 0.25 * s, (m21 - m12) / s]
}

/** Euler angles in degrees, order XYZ (three.js `Euler.setFromRotationMatrix(m, 'XYZ')`), of a pure rotation. */
export function rotationToEulerXYZ(m: readonly number[]): [number, number, number] {
  const e = m as number[]
  const [m11, m12, m13] = [e[0] as number, e[4] as number, e[8] as number]
  const [m22, m23] = [e[5] as number, e[9] as number]
  const [m32, m33] = [e[6] as number, e[10] as number]
  const y = Math.asin(Math.min(1, Math.max(-1, m13)))
  if (Math.abs(m13) < 0.9999999) {
    return [Math.atan2(-m23, m33) / DEG, y / DEG, Math.atan2(-m12, m11) / DEG]
  }
  return [Math.atan2(m32, m22) / DEG, y / DEG, 0]
}
