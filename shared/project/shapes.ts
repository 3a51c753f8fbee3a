import { z } from 'zod'
import { bezierPathSchema } from './masks'
import { animatable, animatableWithDefault, colorSchema, percentSchema, vec2Schema } from './properties'

export const shapeFillSchema = z.object({
  color: colorSchema,
  opacity: percentSchema.default(100),
})

export const shapeStrokeSchema = z.object({
  color: colorSchema,
  width: z.number().min(0).default(1),
  opacity: percentSchema.default(100),
})

/** Shared by every shape: a name for the UI plus its own fill and stroke (null = none). */
const shapeBase = {
  name: z.string().default('Shape'),
  fill: shapeFillSchema.nullable().default(() => ({ color: '#ffffff', opacity: 100 })),
  stroke: shapeStrokeSchema.nullable().default(null),
}

/** Sizes and radii are in pixels; `position` is the shape's centre in layer space. */
export const rectangleShapeSchema = z.object({
  type: z.literal('rectangle'),
  ...shapeBase,
  position: animatableWithDefault(vec2Schema, [0, 0]),
  size: animatableWithDefault(vec2Schema, [100, 100]),
  roundness: animatableWithDefault(z.number().min(0), 0),
})

export const ellipseShapeSchema = z.object({
  type: z.literal('ellipse'),
  ...shapeBase,
  position: animatableWithDefault(vec2Schema, [0, 0]),
  size: animatableWithDefault(vec2Schema, [100, 100]),
})

/** A regular polygon, or a star when `innerRadius` is set. */
export const polygonShapeSchema = z.object({
  type: z.literal('polygon'),
  ...shapeBase,
  position: animatableWithDefault(vec2Schema, [0, 0]),
  points: z.number().int().min(3).max(100).default(5),
  outerRadius: animatableWithDefault(z.number().min(0), 50),
  innerRadius: animatable(z.number().min(0)).nullable().default(null),
  rotation: animatableWithDefault(z.number(), 0),
})

export const pathShapeSchema = z.object({
  type: z.literal('path'),
  ...shapeBase,
  path: animatableWithDefault(bezierPathSchema, { closed: true, vertices: [] }),
})

export const shapeSchema = z.discriminatedUnion('type', [
  rectangleShapeSchema,
  ellipseShapeSchema,
  polygonShapeSchema,
  pathShapeSchema,
])

export type ShapeFill = z.infer<typeof shapeFillSchema>
export type ShapeStroke = z.infer<typeof shapeStrokeSchema>
export type Shape = z.infer<typeof shapeSchema>
export type ShapeType = Shape['type']
