import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyMigrations, loadMigrationsFromDir, type Migration } from '../../server/db/migrate'
import { toGenerationInfo } from '../../server/services/generations/generation.dto'
import { jobEventSchema } from '../../shared/jobs'
import { BACKENDS, freshDatabase } from './harness'

const ONE_JOB_MODEL = '20261207090000_one_job_model'

/** A database as the version before the one job model left it: a generation with its own log. */
async function olderDatabase(backend: (typeof BACKENDS)[number]) {
  const all = await loadMigrationsFromDir('prisma/migrations')
  const older = all.filter((m) => m.name < ONE_JOB_MODEL)
  const ctx = await freshDatabase(backend, older)
  return { ctx, all }
}

describe.each(BACKENDS)('upgrading generations to the one job model on %s', (backend) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>
  let all: Migration[]
  beforeAll(async () => ({ ctx, all } = await olderDatabase(backend)))
  afterAll(async () => ctx?.dispose())

  it('moves each generation\'s status, progress, errors, outputs and event log to its job, in order', async () => {
    const { sql } = ctx.db
    await sql.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ('u1', 'old@example.com', 'Old', 'x')`)
    // A succeeded generation whose earlier attempt's job is left over, and one that never got a job.
    await sql.query(`INSERT INTO "Job" (id, "ownerId", kind, status, input) VALUES ('j-old', 'u1', 'comfy.generate', 'failed', '{}'), ('j1', 'u1', 'comfy.generate', 'succeeded', '{}')`)
    await sql.query(`INSERT INTO "JobEvent" ("jobId", event) VALUES ('j1', '{"type":"status","status":"running","attempt":1}')`)
    await sql.query(`INSERT INTO "Generation" (id, "ownerId", "templateId", "templateName", params, workflow, status, "serverId", "promptId", progress, attempts, "timeoutSeconds", outputs, "jobId", "startedAt", "finishedAt")
      VALUES ('g1', 'u1', 'text-to-image', 'Text to image', '{}', '{}', 'succeeded', NULL, 'g1', '{"fraction":1,"node":"9"}', 2, 600, '["a1"]', 'j1', now(), now()),
             ('g2', 'u1', 'text-to-image', 'Text to image', '{}', '{}', 'running', NULL, NULL, '{"fraction":0.5}', 1, 600, '[]', NULL, now(), NULL)`)
    await sql.query(`INSERT INTO "GenerationEvent" ("generationId", event) VALUES
      ('g1', '{"type":"status","status":"queued","attempt":0}'),
      ('g1', '{"type":"progress","progress":{"fraction":0.5,"node":"3","step":2,"max":4}}'),
      ('g1', '{"type":"outputs","assetIds":["a1"]}'),
      ('g1', '{"type":"status","status":"succeeded","attempt":2}')`)

    await applyMigrations(sql, all)

    const job = await ctx.db.prisma.job.findUniqueOrThrow({ where: { id: 'j1' } })
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2, progress: 1, progressDetail: { node: '9' }, result: { generationId: 'g1', outputs: ['a1'] }, input: { generationId: 'g1' } })
    const events = await ctx.db.prisma.jobEvent.findMany({ where: { jobId: 'j1' }, orderBy: { id: 'asc' } })
    // The generation's log replaces the job's own; each event fits the one union.
    expect(events.map((e) => jobEventSchema.parse(e.event))).toEqual([
      { type: 'status', status: 'queued', attempt: 0 },
      { type: 'progress', progress: 0.5, node: '3', step: 2, max: 4 },
      { type: 'outputs', assetIds: ['a1'] },
      { type: 'status', status: 'succeeded', attempt: 2 },
    ])
    const generation = await ctx.db.prisma.generation.findUniqueOrThrow({ where: { id: 'g1' }, include: { job: true } })
    expect(toGenerationInfo(generation)).toMatchObject({ status: 'succeeded', outputs: ['a1'], attempts: 2, jobId: 'j1', progress: { fraction: 1, node: '9' } })
    // The job of an earlier attempt is gone; a generation that never got a job has an ended one.
    expect(await ctx.db.prisma.job.findUnique({ where: { id: 'j-old' } })).toBeNull()
    const orphan = await ctx.db.prisma.generation.findUniqueOrThrow({ where: { id: 'g2' }, include: { job: true } })
    expect(toGenerationInfo(orphan)).toMatchObject({ status: 'failed', error: 'The generation was never queued; retry it.' })
  })
})
