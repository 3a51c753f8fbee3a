import { z } from 'zod'
import { publicProcedure, router } from '~~/server/trpc/init'
import { manifestSchema, type TemplateManifestInput } from '~~/shared/comfy/manifest'
import { resolveParams } from '~~/shared/comfy/template-values'
import type { AppError } from '~~/shared/errors'
import type { GenerationInfo, TemplateDetail, TemplateListItem } from '~/composables/api'
import { queuedGeneration } from './generations-server'

/**
 * The Generate page's server: one template (its manifest parsed by the shared schema, as the
 * server does), the generation queue, and `generations.create` checking values with the shared
 * `resolveParams`, the same check and sentences the generations service uses.
 */
export function templatesServer(raw: TemplateManifestInput, options: { id?: string; serverOptions?: Record<string, string[]>; readiness?: TemplateListItem['readiness'] } = {}) {
  const id = options.id ?? 'test-template'
  const manifest = manifestSchema.parse(raw)
  const created: { params: Record<string, unknown>; inputs: Record<string, string> }[] = []
  let refusal: AppError | null = null

  const listItem: TemplateListItem = {
    id, builtin: true, mine: false, name: manifest.name, description: manifest.description, category: manifest.category,
    inputs: manifest.inputs.map((input) => ({ name: input.name, label: input.label, kind: input.kind })),
    ...(options.readiness ? { readiness: options.readiness } : {}),
  }
  // With `serverOptions`, a ComfyUI server answered and its combo options replace `choicesFrom` choices.
  const detail: TemplateDetail = {
    id, builtin: true, manifest, workflow: {},
    choicesFromServer: options.serverOptions !== undefined,
    parameters: manifest.parameters.map((parameter) => parameter.type !== 'choice'
      ? parameter
      : { ...parameter, options: options.serverOptions?.[parameter.name] ?? parameter.choices }),
  }

  const trpc = router({
    comfy: router({
      templates: router({
        list: publicProcedure.query(() => [listItem]),
        get: publicProcedure.input(z.object({ id: z.string() })).query(() => detail),
      }),
      generations: router({
        list: publicProcedure.input(z.unknown()).query(() => ({ items: [] as GenerationInfo[], nextCursor: null })),
        create: publicProcedure
          .input(z.object({ templateId: z.string(), params: z.record(z.string(), z.unknown()), inputs: z.record(z.string(), z.string()) }))
          .mutation(({ input }) => {
            created.push({ params: input.params, inputs: input.inputs })
            if (refusal) throw refusal
            return queuedGeneration({ templateId: id, templateName: manifest.name, params: resolveParams(manifest, input.params) })
          }),
      }),
    }),
    assets: router({
      list: publicProcedure.input(z.unknown()).query(() => ({ items: [], nextCursor: null })),
    }),
  })

  return {
    trpc,
    id,
    /** What each `generations.create` call sent. */
    created,
    /** The next creates fail with `error` (a service refusal the form cannot know of beforehand). */
    refuseWith(error: AppError) { refusal = error },
  }
}
