import { authedProcedure, router } from '../init'
import {
  projectCreateSchema, projectDuplicateSchema, projectIdSchema, projectImportSchema, projectListSchema, projectRenameSchema, projectSaveSchema,
} from '../../../shared/schemas/projects'
import { jsonTextInput, jsonTextResult } from '../json-text'

const id = projectIdSchema

export const projectsRouter = router({
  create: authedProcedure.input(projectCreateSchema).mutation(({ ctx, input }) => ctx.services.projects.create(ctx.user.id, input)),
  get: authedProcedure.input(id).query(async ({ ctx, input }) => {
    // The document goes out as the stored JSON text, without a parse and re-serialisation.
    const { documentJson, ...project } = await ctx.services.projects.open(ctx.user.id, input.id)
    return jsonTextResult(project, { document: documentJson })
  }),
  list: authedProcedure.input(projectListSchema.default({})).query(({ ctx, input }) => ctx.services.projects.list(ctx.user.id, input)),
  save: authedProcedure
    .input(projectSaveSchema)
    .mutation(({ ctx, input }) => {
      // Over HTTP the document usually arrives as its JSON text (json-text.ts).
      const { value: document, text: documentJson } = jsonTextInput(input.document)
      return ctx.services.projects.save(ctx.user.id, { id: input.id, revision: input.revision, document, documentJson })
    }),
  rename: authedProcedure.input(projectRenameSchema).mutation(({ ctx, input }) => ctx.services.projects.rename(ctx.user.id, input.id, input.name)),
  duplicate: authedProcedure.input(projectDuplicateSchema).mutation(({ ctx, input }) => ctx.services.projects.duplicate(ctx.user.id, input.id, input.name)),
  delete: authedProcedure.input(id).mutation(({ ctx, input }) => ctx.services.projects.delete(ctx.user.id, input.id)),
  restore: authedProcedure.input(id).mutation(({ ctx, input }) => ctx.services.projects.restore(ctx.user.id, input.id)),
  export: authedProcedure.input(id).query(({ ctx, input }) => ctx.services.projects.exportFile(ctx.user.id, input.id)),
  /** `file` is the parsed JSON of a `.lattice.json`, a bare document, or an original-Lattice project. */
  import: authedProcedure.input(projectImportSchema).mutation(({ ctx, input }) => ctx.services.projects.importFile(ctx.user.id, input.file, input.name)),
  purge: authedProcedure.input(id).mutation(({ ctx, input }) => ctx.services.projects.purge(ctx.user.id, input.id)),
})
