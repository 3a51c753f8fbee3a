import { z } from 'zod'

/** Finite numbers only: zod 4 already rejects NaN and ±Infinity, which JSON cannot carry. */
export const vec2Schema = z.tuple([z.number(), z.number()])
export const vec3Schema = z.tuple([z.number(), z.number(), z.number()])

export const colorSchema = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/, 'expected a colour like #rrggbb or #rrggbbaa')

/** 0..100, the unit of opacity and of bezier influence (After Effects convention). */
export const percentSchema = z.number().min(0).max(100)

export const INTERPOLATIONS = ['hold', 'linear', 'bezier'] as const
export const interpolationSchema = z.enum(INTERPOLATIONS)

export const EASINGS = [
  'easeIn', 'easeOut', 'easeInOut',
  'sineIn', 'sineOut', 'sineInOut',
  'quadIn', 'quadOut', 'quadInOut',
  'cubicIn', 'cubicOut', 'cubicInOut',
  'expoIn', 'expoOut', 'expoInOut',
  'backIn', 'backOut', 'backInOut',
  'elasticIn', 'elasticOut', 'elasticInOut',
  'bounceIn', 'bounceOut', 'bounceInOut',
] as const
export const easingSchema = z.enum(EASINGS)

/**
 * Temporal ease of one side of a keyframe, as in After Effects: `speed` is the rate of change
 * (value units per frame) at the keyframe, `influence` how far (percent of the segment) it reaches.
 */
export const bezierHandleSchema = z.object({
  speed: z.number(),
  influence: percentSchema,
})

/**
 * One keyframe holding a value of `value`'s type. The segment to the next keyframe is shaped by
 * this keyframe's `interpolation`; `easing` names a preset curve that replaces the handles, and
 * the handles only matter on bezier segments.
 */
export function keyframeSchema<T extends z.ZodType>(value: T) {
  return z.object({
    id: z.string().min(1),
    /**
     * In frames of the composition that holds the layer (not layer time). A keyframe may lie
     * before frame 0 when its layer was slid to start before the composition does.
     */
    frame: z.number(),
    value,
    interpolation: interpolationSchema.default('linear'),
    easing: easingSchema.optional(),
    inHandle: bezierHandleSchema.optional(),
    outHandle: bezierHandleSchema.optional(),
    /** Spatial tangents (position only): the motion path's curve around this keyframe. */
    spatialIn: vec3Schema.optional(),
    spatialOut: vec3Schema.optional(),
  })
}

/** Evaluation relies on binary search over frames, so order and uniqueness are invariants. */
function checkKeyframeOrder(prop: { keyframes: { frame: number }[] }, ctx: z.RefinementCtx): void {
  for (let i = 1; i < prop.keyframes.length; i++) {
    const prev = prop.keyframes[i - 1]
    const cur = prop.keyframes[i]
    if (!prev || !cur || cur.frame > prev.frame) continue
    const problem = cur.frame === prev.frame ? 'two keyframes at frame' : 'keyframes out of order at frame'
    ctx.addIssue({
      code: 'custom',
      path: ['keyframes', i, 'frame'],
      message: `${problem} ${cur.frame} (after frame ${prev.frame}); keyframes must be sorted by frame with unique frames`,
    })
  }
}

/**
 * A property that is either static (`keyframes` empty, `value` used) or animated by keyframes.
 * `value` stays meaningful when animated: it is what the property falls back to if every
 * keyframe is deleted.
 */
export function animatable<T extends z.ZodType>(value: T) {
  return z
    .object({
      value,
      keyframes: z.array(keyframeSchema(value)).default(() => []),
    })
    .superRefine(checkKeyframeOrder)
}

/** An animatable property with a static default, so documents may leave it out. */
export function animatableWithDefault<T extends z.ZodType>(value: T, fallback: z.input<T>) {
  // TypeScript cannot resolve zod's object input type for a generic T; `fallback` is typed above.
  return animatable(value).prefault({ value: fallback } as never)
}

type NumberKeyframeSchema = ReturnType<typeof keyframeSchema<z.ZodNumber>>

export type BezierHandle = z.infer<typeof bezierHandleSchema>
export type Interpolation = z.infer<typeof interpolationSchema>
export type Easing = z.infer<typeof easingSchema>
export type Vec2 = z.infer<typeof vec2Schema>
export type Vec3 = z.infer<typeof vec3Schema>
export type Color = z.infer<typeof colorSchema>
export type Keyframe<T = number> = Omit<z.output<NumberKeyframeSchema>, 'value'> & { value: T }
export type AnimatableProperty<T = number> = { value: T; keyframes: Keyframe<T>[] }
