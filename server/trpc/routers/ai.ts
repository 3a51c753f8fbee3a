import { adminProcedure, authedProcedure, router } from '../init'
import { requireService, type Context } from '../context'
import {
  aiTaskRequestSchema, captionRequestSchema, depthRequestSchema, matteRequestSchema, modelIdInput, normalsRequestSchema, saveMaskSchema, segmentPromptSchema,
} from '../../../shared/ai/requests'

const ai = (ctx: Context) => requireService(ctx.services.ai, 'AI tasks')

/**
 * In-process AI: depth, mattes, point/box segmentation, normal maps and captions, on models the
 * server downloads (with checksums) or an admin copies in. Long work is an `ai.task` job, watched
 * with `jobs.watch`; its result names the assets it made. Downloading, verifying and deleting
 * models change the server for everyone: admins only.
 */
export const aiRouter = router({
  models: router({
    /** Every model this server knows, its state (missing, downloading, installed, corrupt, loaded) and the device in use. */
    list: authedProcedure.query(({ ctx }) => ai(ctx).listModels()),
    /** Starts the model's download as a job (or returns the one already running). */
    download: adminProcedure.input(modelIdInput).mutation(({ ctx, input }) => ai(ctx).downloadModel(ctx.user.id, input.id)),
    /** Checks every file's size and sha256 (for files copied in by hand). */
    verify: adminProcedure.input(modelIdInput).mutation(({ ctx, input }) => ai(ctx).verifyModel(input.id)),
    remove: adminProcedure.input(modelIdInput).mutation(async ({ ctx, input }) => {
      await ai(ctx).removeModel(input.id)
      return { removed: true }
    }),
  }),
  /** Depth (16-bit PNG + preview, or a depth video), a matte (+ cut-out) or a normal map of an asset, as a job. */
  run: authedProcedure.input(aiTaskRequestSchema).mutation(({ ctx, input }) => ai(ctx).start(ctx.user.id, input)),
  depth: authedProcedure.input(depthRequestSchema).mutation(({ ctx, input }) => ai(ctx).start(ctx.user.id, { task: 'depth', ...input })),
  matte: authedProcedure.input(matteRequestSchema).mutation(({ ctx, input }) => ai(ctx).start(ctx.user.id, { task: 'matte', ...input })),
  normals: authedProcedure.input(normalsRequestSchema).mutation(({ ctx, input }) => ai(ctx).start(ctx.user.id, { task: 'normals', ...input })),
  /** Up to 3 candidate masks for point/box prompts, best first; further clicks on the same picture reuse its embedding. */
  segment: authedProcedure.input(segmentPromptSchema).mutation(({ ctx, input, signal }) => ai(ctx).segment(ctx.user.id, input, signal)),
  /** Stores candidate `index` of a prompt as a grey mask asset. */
  saveMask: authedProcedure.input(saveMaskSchema).mutation(({ ctx, input, signal }) => ai(ctx).saveMask(ctx.user.id, input.prompt, input.index, signal)),
  /** Describes a picture (or answers `prompt` about it) for a generation prompt. */
  caption: authedProcedure.input(captionRequestSchema).mutation(({ ctx, input, signal }) => ai(ctx).caption(ctx.user.id, input, signal)),
})
