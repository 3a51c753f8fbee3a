import { z } from 'zod'
import { animatableWithDefault, percentSchema, vec3Schema } from './properties'

/**
 * Layer transform in After Effects terms: anchor and position in pixels, scale in percent,
 * rotations in degrees (`rotation` is Z; X/Y and `orientation` only matter on 3D layers).
 */
export const transformSchema = z.object({
  anchor: animatableWithDefault(vec3Schema, [0, 0, 0]),
  position: animatableWithDefault(vec3Schema, [0, 0, 0]),
  scale: animatableWithDefault(vec3Schema, [100, 100, 100]),
  rotation: animatableWithDefault(z.number(), 0),
  rotationX: animatableWithDefault(z.number(), 0),
  rotationY: animatableWithDefault(z.number(), 0),
  orientation: animatableWithDefault(vec3Schema, [0, 0, 0]),
  opacity: animatableWithDefault(percentSchema, 100),
})

export type Transform = z.infer<typeof transformSchema>
