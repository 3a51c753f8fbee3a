import { LIMITS } from '../limits'

/** Video models need sizes divisible by 8, so every composition size snaps to this grid. */
export const DIMENSION_STEP = 8

/**
 * The valid composition dimension closest to `value`: rounded to a multiple of 8 (halves
 * round up) and clamped to LIMITS.minDimension..maxDimension.
 */
export function nearestValidDimension(value: number): number {
  const snapped = Math.round(value / DIMENSION_STEP) * DIMENSION_STEP
  return Math.min(LIMITS.maxDimension, Math.max(LIMITS.minDimension, snapped))
}

/**
 * Why `value` is not a valid composition dimension, phrased for users with the nearest valid
 * value, or null when it is valid. `label` is e.g. "Width".
 */
export function dimensionProblem(label: string, value: number): string | null {
  if (!Number.isFinite(value)) return `${label} must be a number of pixels (got ${value}).`
  const suggestion = nearestValidDimension(value)
  if (value < LIMITS.minDimension || value > LIMITS.maxDimension) {
    return `${label} must be from ${LIMITS.minDimension} to ${LIMITS.maxDimension} pixels (got ${value}); try ${suggestion}.`
  }
  if (!Number.isInteger(value) || value % DIMENSION_STEP !== 0) {
    return `${label} must be a multiple of ${DIMENSION_STEP} (got ${value}); try ${suggestion}.`
  }
  return null
}
