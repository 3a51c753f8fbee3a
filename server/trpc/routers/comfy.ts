import { adminProcedure, authedProcedure, router } from '../init'
import { requireService, type Context } from '../context'
import { afterEventId, trackedEvents } from '../job-events'
import { watchInput } from '../../../shared/schemas/common'
import {
  comfyServerAddSchema, comfyServerIdSchema, comfyServerTestSchema, comfyServerUpdateSchema, generationCreateSchema, generationIdSchema, generationListSchema,
  templateGetSchema, workflowIdSchema, workflowInspectSchema, workflowUpdateSchema, workflowUploadSchema,
} from '../../../shared/schemas/comfy'

function comfy(ctx: Context) {
  const { generations, comfyServers, workflows } = ctx.services
  return {
    generations: requireService(generations, 'Generations'),
    servers: requireService(comfyServers, 'Generations'),
    workflows: requireService(workflows, 'Generations'),
  }
}

/** ComfyUI: templates, uploaded workflows, generations and the servers they run on. */
export const comfyRouter = router({
  templates: router({
    list: authedProcedure.query(({ ctx }) => comfy(ctx).workflows.list(ctx.user.id)),
    /** With choices (checkpoints, samplers, …) read from a server's object_info: the given one or the first that answers. */
    get: authedProcedure.input(templateGetSchema).query(({ ctx, input }) => comfy(ctx).workflows.get(ctx.user.id, input.id, input.serverId)),
  }),
  workflows: router({
    /**
     * The constant inputs of an API-format workflow and a draft mapping (a manifest), typed from
     * the first server that answers, with the node types it lacks. A mutation: a workflow is too
     * large for a URL.
     */
    inspect: authedProcedure.input(workflowInspectSchema).mutation(({ ctx, input }) => comfy(ctx).workflows.inspect(input.workflow, input.name)),
    /** An API-format workflow ("Export (API)" in ComfyUI) with its parameter mapping (a manifest). */
    upload: authedProcedure.input(workflowUploadSchema).mutation(({ ctx, input }) => comfy(ctx).workflows.upload(ctx.user.id, input)),
    /** One of your uploaded workflows with its mapping and inputs, to re-map it. */
    get: authedProcedure.input(workflowIdSchema).query(({ ctx, input }) => comfy(ctx).workflows.getUploaded(ctx.user.id, input.id)),
    /** A new mapping for one of your uploaded workflows (optionally a new name or workflow). */
    update: authedProcedure.input(workflowUpdateSchema).mutation(({ ctx, input: { id, ...changes } }) => comfy(ctx).workflows.update(ctx.user.id, id, changes)),
    remove: authedProcedure.input(workflowIdSchema).mutation(({ ctx, input }) => comfy(ctx).workflows.remove(ctx.user.id, input.id)),
  }),
  generations: router({
    create: authedProcedure.input(generationCreateSchema).mutation(({ ctx, input }) => comfy(ctx).generations.create(ctx.user.id, input)),
    get: authedProcedure.input(generationIdSchema).query(({ ctx, input }) => comfy(ctx).generations.get(ctx.user.id, input.id)),
    list: authedProcedure.input(generationListSchema.default({})).query(({ ctx, input }) => comfy(ctx).generations.list(ctx.user.id, input)),
    cancel: authedProcedure.input(generationIdSchema).mutation(({ ctx, input }) => comfy(ctx).generations.cancel(ctx.user.id, input.id)),
    retry: authedProcedure.input(generationIdSchema).mutation(({ ctx, input }) => comfy(ctx).generations.retry(ctx.user.id, input.id)),
    delete: authedProcedure.input(generationIdSchema).mutation(({ ctx, input }) => comfy(ctx).generations.delete(ctx.user.id, input.id)),
    /** The generation's job events (as `jobs.watch` streams them for its `jobId`), addressed by the generation's id; resumes after `lastEventId`. */
    watch: authedProcedure
      .input(watchInput('Generation'))
      .subscription(({ ctx, input, signal }) => trackedEvents(comfy(ctx).generations.watch(ctx.user.id, input.id, afterEventId(input.lastEventId), signal))),
  }),
  servers: router({
    /** Every server with its health (reachable, version, GPU, VRAM, queue depth), and why the queue is paused if it is. */
    list: authedProcedure.query(({ ctx }) => comfy(ctx).servers.list()),
    add: adminProcedure.input(comfyServerAddSchema).mutation(async ({ ctx, input }) => ({ id: await comfy(ctx).servers.add(input) })),
    /** `authHeader` undefined keeps the stored one; null clears it. */
    update: adminProcedure.input(comfyServerUpdateSchema).mutation(async ({ ctx, input: { id, ...changes } }) => ({ id: await comfy(ctx).servers.update(id, changes) })),
    remove: adminProcedure.input(comfyServerIdSchema).mutation(({ ctx, input }) => comfy(ctx).servers.remove(input.id)),
    /** Connects to a server (or any URL): admins only, so users cannot probe what the server reaches. */
    test: adminProcedure.input(comfyServerTestSchema).mutation(({ ctx, input }) => comfy(ctx).servers.test(input)),
    /** Lets generations start again after the queue paused itself (storage was full). */
    resume: adminProcedure.mutation(({ ctx }) => comfy(ctx).servers.resume()),
  }),
})
