import { z } from 'zod'
import { LIMITS } from '../limits'
import { DIMENSION_STEP } from './dimensions'
import { type Layer, layerSchema } from './layers'
import { colorSchema } from './properties'

const dimensionSchema = z
  .number()
  .int('must be a whole number of pixels')
  .min(LIMITS.minDimension)
  .max(LIMITS.maxDimension)
  .multipleOf(DIMENSION_STEP, `must be a multiple of ${DIMENSION_STEP} (video models require it)`)

export const markerSchema = z.object({
  frame: z.number().min(0),
  label: z.string().default(''),
  color: colorSchema.optional(),
})

/**
 * Parenting and mattes are per composition: a reference must name a layer of the same
 * composition, and parent chains must end (no cycles).
 */
function checkLayerReferences(comp: { layers: Layer[] }, ctx: z.RefinementCtx): void {
  const indexById = new Map<string, number>()
  comp.layers.forEach((layer, index) => {
    if (indexById.has(layer.id)) {
      ctx.addIssue({ code: 'custom', path: ['layers', index, 'id'], message: `duplicate layer id "${layer.id}"` })
    } else indexById.set(layer.id, index)
  })

  comp.layers.forEach((layer, index) => {
    const at = (...rest: (string | number)[]) => ['layers', index, ...rest]
    if (layer.outPoint <= layer.inPoint) {
      ctx.addIssue({
        code: 'custom',
        path: at('outPoint'),
        message: `outPoint (${layer.outPoint}) must be after inPoint (${layer.inPoint})`,
      })
    }
    if (layer.parentId === layer.id) {
      ctx.addIssue({ code: 'custom', path: at('parentId'), message: 'a layer cannot be its own parent' })
    } else if (layer.parentId !== null && !indexById.has(layer.parentId)) {
      ctx.addIssue({
        code: 'custom',
        path: at('parentId'),
        message: `parent "${layer.parentId}" is not a layer of this composition; parents must be in the same composition`,
      })
    }
    const matteId = layer.trackMatte.layerId
    if (matteId === layer.id) {
      ctx.addIssue({ code: 'custom', path: at('trackMatte', 'layerId'), message: 'a layer cannot be its own track matte' })
    } else if (matteId !== null && !indexById.has(matteId)) {
      ctx.addIssue({
        code: 'custom',
        path: at('trackMatte', 'layerId'),
        message: `track matte "${matteId}" is not a layer of this composition`,
      })
    }
  })

  reportParentCycles(comp.layers, ctx)
}

function reportParentCycles(layers: Layer[], ctx: z.RefinementCtx): void {
  const parentOf = new Map(layers.map((layer) => [layer.id, layer.parentId]))
  const indexOf = new Map(layers.map((layer, index) => [layer.id, index]))
  // Layers whose chain is known to end (or whose cycle is reported): each is walked once.
  const settled = new Set<string>()
  for (const layer of layers) {
    const chain = new Set<string>()
    let id: string | null = layer.id
    while (id !== null && !settled.has(id) && !chain.has(id)) {
      chain.add(id)
      id = parentOf.get(id) ?? null
    }
    const walked = [...chain]
    walked.forEach((each) => settled.add(each))
    if (id === null || !chain.has(id)) continue
    const cycle = walked.slice(walked.indexOf(id))
    // A layer that is its own parent is reported by checkLayerReferences.
    if (cycle.length < 2) continue
    ctx.addIssue({
      code: 'custom',
      path: ['layers', indexOf.get(id) ?? 0, 'parentId'],
      message: `parent cycle: ${[...cycle, id].map((each) => `"${each}"`).join(' → ')}`,
    })
  }
}

/** One timeline: its size, rate, duration and layers (first layer is drawn on top). */
export const compositionSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().max(LIMITS.maxProjectNameLength).default('Composition'),
    width: dimensionSchema,
    height: dimensionSchema,
    fps: z.number().positive().max(LIMITS.maxFps),
    frameCount: z.number().int().min(1).max(LIMITS.maxFrameCount),
    backgroundColor: colorSchema.default('#000000'),
    layers: z.array(layerSchema).default(() => []),
    markers: z.array(markerSchema).default(() => []),
  })
  .superRefine(checkLayerReferences)

export type Marker = z.infer<typeof markerSchema>
export type Composition = z.infer<typeof compositionSchema>
export type CompositionInput = z.input<typeof compositionSchema>
