import { z } from 'zod'
import { maskSchema } from './masks'
import { animatable, vec2Schema, vec3Schema } from './properties'
import { transformSchema } from './transform'

export const BLEND_MODES = [
  'normal', 'darken', 'multiply', 'colorBurn', 'linearBurn', 'darkerColor',
  'add', 'lighten', 'screen', 'colorDodge', 'lighterColor',
  'overlay', 'softLight', 'hardLight', 'linearLight', 'vividLight', 'pinLight', 'hardMix',
  'difference', 'exclusion', 'subtract', 'divide',
  'hue', 'saturation', 'color', 'luminosity',
] as const
export const blendModeSchema = z.enum(BLEND_MODES)

export const TRACK_MATTE_MODES = ['none', 'alpha', 'alphaInverted', 'luma', 'lumaInverted'] as const

/** `layerId` null with a mode set means "the layer directly above", as in After Effects. */
export const trackMatteSchema = z.object({
  mode: z.enum(TRACK_MATTE_MODES).default('none'),
  layerId: z.string().min(1).nullable().default(null),
})

/** Effect parameters stay generic: the effect registry, not the document, knows their meaning. */
export const effectParamValueSchema = z.union([z.number(), z.string(), z.boolean(), vec2Schema, vec3Schema])

export const effectSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  enabled: z.boolean().default(true),
  params: z.record(z.string(), animatable(effectParamValueSchema)).default(() => ({})),
})

/** Fields every layer kind shares; per-kind data lives under `data`. */
export const layerCommonShape = {
  id: z.string().min(1),
  name: z.string().default('Layer'),
  visible: z.boolean().default(true),
  locked: z.boolean().default(false),
  solo: z.boolean().default(false),
  /** Hidden from the timeline when "hide shy layers" is on; no effect on rendering. */
  shy: z.boolean().default(false),
  threeD: z.boolean().default(false),
  /** Visible range in composition frames: from inPoint (inclusive) to outPoint (exclusive). */
  inPoint: z.number().default(0),
  outPoint: z.number(),
  /** Offset of the layer's own time (source frame 0) in composition frames. */
  startTime: z.number().default(0),
  parentId: z.string().min(1).nullable().default(null),
  blendMode: blendModeSchema.default('normal'),
  transform: transformSchema.prefault({}),
  masks: z.array(maskSchema).default(() => []),
  trackMatte: trackMatteSchema.prefault({}),
  effects: z.array(effectSchema).default(() => []),
}

export type BlendMode = z.infer<typeof blendModeSchema>
export type TrackMatte = z.infer<typeof trackMatteSchema>
export type TrackMatteMode = TrackMatte['mode']
export type Effect = z.infer<typeof effectSchema>
export type EffectParamValue = z.infer<typeof effectParamValueSchema>
