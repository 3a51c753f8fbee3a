import { z } from 'zod'
import { publicProcedure, router } from '~~/server/trpc/init'
import { AppError } from '~~/shared/errors'
import { createEmptyDocument, type ProjectDocument } from '~~/shared/project'
import type { ProjectDetail } from '~/composables/api'

export const PROJECT_ID = '3f2c1a4e-8b7d-4c6e-9a1f-2d3e4f5a6b7c'

/** The conflict sentence the projects service answers with when a save lost the race. */
export const conflictMessage = (current: number, had: number) =>
  `The project was saved elsewhere (now revision ${current}, you had ${had}). Reload it, or save your copy as a duplicate.`

/**
 * One stored project behind `projects.get` and `projects.save`, with the service's optimistic
 * rule: a save must name the stored revision, else CONFLICT with `currentRevision`. A test can
 * save "from another tab" (`saveElsewhere`), hold saves (`hold`), or fail the next one.
 */
export function projectsServer(name = 'Harbour shot') {
  let stored = { name, revision: 1, document: createEmptyDocument({ name }) as ProjectDocument }
  /** Every save request, in order, as the server received it. */
  const saves: { revision: number; document: ProjectDocument }[] = []
  let held: Promise<void> | null = null
  let failNext: AppError | null = null
  let missingAssetIds: string[] = []

  const detail = (): ProjectDetail => ({
    id: PROJECT_ID, name: stored.name, revision: stored.revision, migratedFrom: null,
    createdAt: new Date('2026-01-01T00:00:00Z'), updatedAt: new Date('2026-01-02T00:00:00Z'),
    document: structuredClone(stored.document),
  })

  const trpc = router({
    projects: router({
      get: publicProcedure.input(z.object({ id: z.string() })).query(() => detail()),
      save: publicProcedure
        .input(z.object({ id: z.string(), revision: z.number().int(), document: z.custom<ProjectDocument>() }))
        .mutation(async ({ input }) => {
          saves.push({ revision: input.revision, document: input.document })
          await held
          if (failNext) {
            const failure = failNext
            failNext = null
            throw failure
          }
          if (input.revision !== stored.revision) {
            throw new AppError('CONFLICT', conflictMessage(stored.revision, input.revision), { currentRevision: stored.revision })
          }
          stored = { ...stored, revision: stored.revision + 1, document: input.document }
          return { revision: stored.revision, missingAssetIds }
        }),
    }),
  })

  return {
    trpc,
    saves,
    detail,
    get stored() { return stored },
    /** Another tab saves `edit` of the stored document: the revision moves on. */
    saveElsewhere(edit: (document: ProjectDocument) => void) {
      const document = structuredClone(stored.document)
      edit(document)
      stored = { ...stored, revision: stored.revision + 1, document }
    },
    /** Saves wait until the returned function is called. */
    hold(): () => void {
      let release!: () => void
      held = new Promise((resolve) => { release = resolve })
      return () => { held = null; release() }
    },
    failNextSave(error: AppError) { failNext = error },
    reportMissingAssets(ids: string[]) { missingAssetIds = ids },
  }
}
