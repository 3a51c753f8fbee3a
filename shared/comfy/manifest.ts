import { z } from 'zod'

/**
 * A workflow template's manifest: which inputs of an API-format workflow users may set, with
 * their types and limits, which nodes take pictures from Lattice, and which nodes hold results.
 * Shared by the server (substitution, validation) and the Generate panel (the form).
 */

/** One node input a value goes to. */
export const nodeTargetSchema = z.object({ node: z.string().min(1), input: z.string().min(1) })
export type NodeTarget = z.infer<typeof nodeTargetSchema>

const common = {
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'Parameter names are letters, digits and _.'),
  label: z.string().min(1).max(100).optional(),
  description: z.string().max(500).optional(),
  /** Every node input that receives the value (e.g. width into several nodes). */
  targets: z.array(nodeTargetSchema).min(1),
}

export const choicesFromSchema = z.object({ class_type: z.string().min(1), input: z.string().min(1) })

export const parameterSchema = z.discriminatedUnion('type', [
  z.object({ ...common, type: z.literal('string'), default: z.string().default(''), multiline: z.boolean().default(false), maxLength: z.number().int().positive().default(10_000) }),
  z.object({ ...common, type: z.literal('int'), default: z.number().int(), min: z.number().int().optional(), max: z.number().int().optional(), step: z.number().int().positive().optional() }),
  z.object({ ...common, type: z.literal('float'), default: z.number(), min: z.number().optional(), max: z.number().optional(), step: z.number().positive().optional() }),
  z.object({ ...common, type: z.literal('boolean'), default: z.boolean() }),
  /** A random seed unless one is given. */
  z.object({ ...common, type: z.literal('seed'), default: z.number().int().min(0).optional() }),
  /** Fixed choices, or the server's options for a combo input (e.g. checkpoint file names). */
  z.object({ ...common, type: z.literal('choice'), default: z.string().optional(), choices: z.array(z.string()).min(1).optional(), choicesFrom: choicesFromSchema.optional() })
    .refine((p) => p.choices !== undefined || p.choicesFrom !== undefined, 'A choice parameter needs "choices" or "choicesFrom".'),
])
export type TemplateParameter = z.infer<typeof parameterSchema>
export type TemplateParameterInput = z.input<typeof parameterSchema>

/** A picture from Lattice (an asset), uploaded to ComfyUI and named in a LoadImage-like node. */
export const templateInputSchema = z.object({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/),
  label: z.string().min(1).max(100).optional(),
  kind: z.enum(['image', 'video']).default('image'),
  required: z.boolean().default(true),
  target: nodeTargetSchema,
})
export type TemplateInput = z.infer<typeof templateInputSchema>

export const manifestSchema = z.object({
  name: z.string().min(1).max(100),
  description: z.string().max(1000).default(''),
  category: z.enum(['image', 'video', 'other']).default('image'),
  parameters: z.array(parameterSchema).default([]),
  inputs: z.array(templateInputSchema).default([]),
  /** Node ids whose files become assets; at least one. */
  outputs: z.array(z.string().min(1)).min(1),
  /** The run is interrupted and fails after this long (video needs long ones). */
  timeoutSeconds: z.number().int().min(1).max(23 * 3600).default(600),
})
export type TemplateManifest = z.infer<typeof manifestSchema>
export type TemplateManifestInput = z.input<typeof manifestSchema>

/** A generation's status is its job's (shared/jobs.ts); work placed on ComfyUI is never `retrying`, it is queued again. */
export const GENERATION_STATUSES = ['queued', 'dispatched', 'running', 'succeeded', 'failed', 'cancelled'] as const
export const generationStatusSchema = z.enum(GENERATION_STATUSES)
export type GenerationStatus = z.infer<typeof generationStatusSchema>
export const TERMINAL_GENERATION_STATUSES: readonly GenerationStatus[] = ['succeeded', 'failed', 'cancelled']

export const generationProgressSchema = z.object({
  node: z.string().optional(),
  classType: z.string().optional(),
  step: z.number().optional(),
  max: z.number().optional(),
  /** 0..1 over the whole run. */
  fraction: z.number().min(0).max(1).default(0),
  /** Prompts ahead of this one on its server while pending. */
  ahead: z.number().optional(),
})
export type GenerationProgress = z.infer<typeof generationProgressSchema>
