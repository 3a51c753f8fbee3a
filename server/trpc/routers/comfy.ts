import { tracked, TRPCError } from '@trpc/server'
import { z } from 'zod'
import { authedProcedure, router } from '../init'
import { generationStatusSchema } from '../../../shared/comfy/manifest'
import type { Context } from '../context'

const adminProcedure = authedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an admin can change ComfyUI servers; ask yours.' })
  return next()
})

function comfy(ctx: Context) {
  const { generations, comfyServers, workflows } = ctx.services
  if (!generations || !comfyServers || !workflows) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'Generations are not available in this process.' })
  return { generations, servers: comfyServers, workflows }
}

const id = z.object({ id: z.uuid('Generation ids are UUIDs.') })
const workflowId = z.object({ id: z.string().min(1).max(100) })
/** A ComfyUI server's address: http(s), no credentials in it (send those as `authHeader`). */
const url = z.string().trim().min(1).max(500).refine((value) => {
  try {
    const parsed = new URL(value)
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && !parsed.username && !parsed.password
  } catch {
    return false
  }
}, 'A ComfyUI server is an http:// or https:// URL without a user name or password in it (send credentials as the auth header).')
const authHeader = z.string().trim().max(2000).nullish()
const params = z.record(z.string(), z.union([z.string().max(20_000), z.number(), z.boolean()]))

/** ComfyUI: templates, uploaded workflows, generations and the servers they run on. */
export const comfyRouter = router({
  templates: router({
    list: authedProcedure.query(({ ctx }) => comfy(ctx).workflows.list(ctx.user.id)),
    /** With choices (checkpoints, samplers, …) read from a server's object_info: the given one or the first that answers. */
    get: authedProcedure
      .input(z.object({ id: z.string().min(1).max(100), serverId: z.uuid().optional() }))
      .query(({ ctx, input }) => comfy(ctx).workflows.get(ctx.user.id, input.id, input.serverId)),
  }),
  workflows: router({
    /**
     * The constant inputs of an API-format workflow and a draft mapping (a manifest), typed from
     * the first server that answers, with the node types it lacks. A mutation: a workflow is too
     * large for a URL.
     */
    inspect: authedProcedure
      .input(z.object({ workflow: z.unknown(), name: z.string().trim().max(100).optional() }))
      .mutation(({ ctx, input }) => comfy(ctx).workflows.inspect(input.workflow, input.name)),
    /** An API-format workflow ("Export (API)" in ComfyUI) with its parameter mapping (a manifest). */
    upload: authedProcedure
      .input(z.object({ name: z.string().trim().min(1).max(100), workflow: z.record(z.string(), z.unknown()), manifest: z.record(z.string(), z.unknown()) }))
      .mutation(({ ctx, input }) => comfy(ctx).workflows.upload(ctx.user.id, input)),
    /** One of your uploaded workflows with its mapping and inputs, to re-map it. */
    get: authedProcedure.input(workflowId).query(({ ctx, input }) => comfy(ctx).workflows.getUploaded(ctx.user.id, input.id)),
    /** A new mapping for one of your uploaded workflows (optionally a new name or workflow). */
    update: authedProcedure
      .input(workflowId.extend({ name: z.string().trim().min(1).max(100).optional(), workflow: z.record(z.string(), z.unknown()).optional(), manifest: z.record(z.string(), z.unknown()) }))
      .mutation(({ ctx, input }) => {
        const { id: templateId, ...changes } = input
        return comfy(ctx).workflows.update(ctx.user.id, templateId, changes)
      }),
    remove: authedProcedure.input(workflowId).mutation(({ ctx, input }) => comfy(ctx).workflows.remove(ctx.user.id, input.id)),
  }),
  generations: router({
    create: authedProcedure
      .input(z.object({
        templateId: z.string().min(1).max(100),
        params: params.default({}),
        inputs: z.record(z.string(), z.uuid()).default({}),
        timeoutSeconds: z.number().int().min(1).max(23 * 3600).optional(),
        webhookUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
      }))
      .mutation(({ ctx, input }) => comfy(ctx).generations.create(ctx.user.id, input)),
    get: authedProcedure.input(id).query(({ ctx, input }) => comfy(ctx).generations.get(ctx.user.id, input.id)),
    list: authedProcedure
      .input(z.object({ status: z.array(generationStatusSchema).optional(), templateId: z.string().max(100).optional(), cursor: z.uuid().optional(), limit: z.number().int().min(1).max(100).optional() }).default({}))
      .query(({ ctx, input }) => comfy(ctx).generations.list(ctx.user.id, input)),
    cancel: authedProcedure.input(id).mutation(({ ctx, input }) => comfy(ctx).generations.cancel(ctx.user.id, input.id)),
    retry: authedProcedure.input(id).mutation(({ ctx, input }) => comfy(ctx).generations.retry(ctx.user.id, input.id)),
    delete: authedProcedure.input(id).mutation(({ ctx, input }) => comfy(ctx).generations.delete(ctx.user.id, input.id)),
    /**
     * The generation's job events (as `jobs.watch` streams them for its `jobId`), addressed by the
     * generation's id; resumes after `lastEventId`.
     */
    watch: authedProcedure
      .input(z.object({ id: z.uuid(), lastEventId: z.string().nullish() }))
      .subscription(async function* ({ ctx, input, signal }) {
        const generation = await comfy(ctx).generations.get(ctx.user.id, input.id)
        for await (const envelope of ctx.services.jobs.watch(ctx.user.id, generation.jobId, Number(input.lastEventId ?? 0) || 0, signal)) {
          yield tracked(String(envelope.id), envelope)
        }
      }),
  }),
  servers: router({
    /** Every server with its health (reachable, version, GPU, VRAM, queue depth), and why the queue is paused if it is. */
    list: authedProcedure.query(({ ctx }) => comfy(ctx).servers.list()),
    add: adminProcedure
      .input(z.object({ name: z.string().trim().min(1).max(100), url, authHeader, enabled: z.boolean().optional(), maxConcurrent: z.number().int().min(1).max(64).optional() }))
      .mutation(async ({ ctx, input }) => ({ id: await comfy(ctx).servers.add(input) })),
    update: adminProcedure
      .input(z.object({ id: z.uuid(), name: z.string().trim().min(1).max(100).optional(), url: url.optional(), authHeader, enabled: z.boolean().optional(), maxConcurrent: z.number().int().min(1).max(64).optional() }))
      .mutation(async ({ ctx, input }) => {
        const { id: serverId, ...changes } = input
        // `authHeader` undefined keeps the stored one; null clears it.
        return { id: await comfy(ctx).servers.update(serverId, changes) }
      }),
    remove: adminProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) => comfy(ctx).servers.remove(input.id)),
    /** Connects to a server (or any URL): admins only, so users cannot probe what the server reaches. */
    test: adminProcedure
      .input(z.object({ id: z.uuid().optional(), url: url.optional(), authHeader }))
      .mutation(({ ctx, input }) => comfy(ctx).servers.test(input)),
    /** Lets generations start again after the queue paused itself (storage was full). */
    resume: adminProcedure.mutation(({ ctx }) => comfy(ctx).servers.resume()),
  }),
})
