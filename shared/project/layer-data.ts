import { z } from 'zod'
import { animatable, animatableWithDefault, colorSchema, percentSchema, vec3Schema } from './properties'
import { shapeSchema } from './shapes'

/** Assets are database rows; the document only holds their ids. */
export const assetIdSchema = z.uuid('expected an asset id (uuid)')

/** Maps composition frames to source frames; absent means the source plays straight through. */
const timeRemapSchema = animatable(z.number().min(0)).optional()

export const imageDataSchema = z.object({ assetId: assetIdSchema })

export const videoDataSchema = z.object({
  assetId: assetIdSchema,
  timeRemap: timeRemapSchema,
  loop: z.boolean().default(false),
  playbackRate: z.number().positive().max(100).default(1),
})

export const audioDataSchema = z.object({
  assetId: assetIdSchema,
  /** Percent of the source level. */
  volume: animatableWithDefault(percentSchema, 100),
})

export const solidDataSchema = z.object({
  color: colorSchema.default('#808080'),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
})

export const textDataSchema = z.object({
  text: z.string().default(''),
  fontFamily: z.string().min(1).default('sans-serif'),
  fontSize: z.number().positive().default(48),
  fontWeight: z.number().int().min(1).max(1000).default(400),
  fill: colorSchema.default('#ffffff'),
  stroke: z.object({ color: colorSchema, width: z.number().positive() }).nullable().default(null),
  align: z.enum(['left', 'center', 'right']).default('left'),
  /** Multiple of the font size, as unitless CSS line-height. */
  lineHeight: z.number().positive().default(1.2),
  /** Extra space between characters, in pixels. */
  letterSpacing: z.number().default(0),
})

export const shapeDataSchema = z.object({
  shapes: z.array(shapeSchema).default(() => []),
})

export const cameraDataSchema = z.object({
  /** twoNode cameras look at `pointOfInterest`; oneNode cameras are aimed by rotation alone. */
  cameraType: z.enum(['oneNode', 'twoNode']).default('oneNode'),
  /** Distance from the camera to the image plane in pixels (After Effects "zoom"); drives the view. */
  zoom: animatableWithDefault(z.number().positive(), 1000),
  /** Vertical angle of view in degrees (three.js convention) the camera was set up with; zoom wins if they disagree. */
  fov: z.number().gt(0).lt(180).optional(),
  pointOfInterest: animatableWithDefault(vec3Schema, [0, 0, 0]),
  depthOfField: z
    .object({
      enabled: z.boolean().default(false),
      focusDistance: z.number().min(0).default(1000),
      aperture: z.number().min(0).default(0),
    })
    .prefault({}),
})

export const depthDataSchema = z.object({
  /** The colour image that gets displaced. */
  assetId: assetIdSchema,
  depthAssetId: assetIdSchema,
  displacement: animatableWithDefault(z.number(), 0),
  /** Set when the depth map is white-far instead of white-near. */
  invert: z.boolean().default(false),
  nearFar: z
    .tuple([z.number().min(0), z.number().positive()])
    .default((): [number, number] => [0.1, 100])
    .refine(([near, far]) => near < far, 'near must be less than far'),
})

export const nestedCompositionDataSchema = z.object({
  compositionId: z.string().min(1),
  timeRemap: timeRemapSchema,
})

export type ImageLayerData = z.infer<typeof imageDataSchema>
export type VideoLayerData = z.infer<typeof videoDataSchema>
export type AudioLayerData = z.infer<typeof audioDataSchema>
export type SolidLayerData = z.infer<typeof solidDataSchema>
export type TextLayerData = z.infer<typeof textDataSchema>
export type ShapeLayerData = z.infer<typeof shapeDataSchema>
export type CameraLayerData = z.infer<typeof cameraDataSchema>
export type DepthLayerData = z.infer<typeof depthDataSchema>
export type NestedCompositionLayerData = z.infer<typeof nestedCompositionDataSchema>
