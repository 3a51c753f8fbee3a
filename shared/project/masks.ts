import { z } from 'zod'
import { animatableWithDefault, percentSchema, vec2Schema } from './properties'

/** Tangents are relative to `point`, as in After Effects and SVG-style editors. */
export const bezierVertexSchema = z.object({
  point: vec2Schema,
  inTangent: vec2Schema.default((): [number, number] => [0, 0]),
  outTangent: vec2Schema.default((): [number, number] => [0, 0]),
})

export const bezierPathSchema = z.object({
  closed: z.boolean().default(true),
  vertices: z.array(bezierVertexSchema).default(() => []),
})

export const MASK_MODES = ['add', 'subtract', 'intersect', 'lighten', 'darken', 'difference'] as const
export const maskModeSchema = z.enum(MASK_MODES)

/** A bezier mask in layer space; masks combine top to bottom using `mode`. */
export const maskSchema = z.object({
  id: z.string().min(1),
  name: z.string().default('Mask'),
  mode: maskModeSchema.default('add'),
  inverted: z.boolean().default(false),
  path: animatableWithDefault(bezierPathSchema, { closed: true, vertices: [] }),
  /** Horizontal and vertical feather in pixels. */
  feather: animatableWithDefault(z.tuple([z.number().min(0), z.number().min(0)]), [0, 0]),
  /** Grows (positive) or shrinks (negative) the mask outline, in pixels. */
  expansion: animatableWithDefault(z.number(), 0),
  opacity: animatableWithDefault(percentSchema, 100),
})

export type BezierVertex = z.infer<typeof bezierVertexSchema>
export type BezierPath = z.infer<typeof bezierPathSchema>
export type MaskMode = z.infer<typeof maskModeSchema>
export type Mask = z.infer<typeof maskSchema>
