-- One job model: a generation's status, progress, attempts, errors and event log are its job's.

-- AlterTable: what every job now records.
ALTER TABLE "Job" ADD COLUMN "errorKind" TEXT,
ADD COLUMN "progressDetail" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN "runId" TEXT,
ADD COLUMN "deliveryId" TEXT;

-- The generation's own facts move to its job.
UPDATE "Job" j SET
  "status" = g."status",
  "error" = g."error",
  "errorKind" = g."errorKind",
  "attempts" = g."attempts",
  "progress" = LEAST(1, GREATEST(0, COALESCE((g."progress"->>'fraction')::double precision, 0))),
  "progressDetail" = g."progress" - 'fraction',
  "startedAt" = g."startedAt",
  "finishedAt" = g."finishedAt",
  "input" = jsonb_build_object('generationId', g."id"),
  "result" = CASE WHEN g."status" = 'succeeded' THEN jsonb_build_object('generationId', g."id", 'outputs', g."outputs") ELSE NULL END
FROM "Generation" g WHERE g."jobId" = j."id";

-- A generation that never got its job (its process died in between) gets one, ended.
INSERT INTO "Job" ("id", "ownerId", "kind", "status", "input", "error", "createdAt", "finishedAt")
SELECT g."id", g."ownerId", 'comfy.generate',
       CASE WHEN g."status" IN ('succeeded', 'failed', 'cancelled') THEN g."status" ELSE 'failed' END,
       jsonb_build_object('generationId', g."id"),
       COALESCE(g."error", CASE WHEN g."status" IN ('succeeded', 'failed', 'cancelled') THEN NULL ELSE 'The generation was never queued; retry it.' END),
       g."queuedAt", COALESCE(g."finishedAt", CURRENT_TIMESTAMP)
FROM "Generation" g WHERE g."jobId" IS NULL;
UPDATE "Generation" SET "jobId" = "id" WHERE "jobId" IS NULL;

-- Its event log becomes its job's, in order; progress events take the one shape.
DELETE FROM "JobEvent" WHERE "jobId" IN (SELECT "jobId" FROM "Generation");
INSERT INTO "JobEvent" ("jobId", "createdAt", "event")
SELECT g."jobId", e."createdAt",
       CASE WHEN e."event"->>'type' = 'progress'
            THEN jsonb_build_object('type', 'progress', 'progress', LEAST(1, GREATEST(0, COALESCE((e."event"->'progress'->>'fraction')::double precision, 0))))
                 || ((e."event"->'progress') - 'fraction')
            ELSE e."event" END
FROM "GenerationEvent" e JOIN "Generation" g ON g."id" = e."generationId"
ORDER BY e."id";

-- A job an older version was running is held by that run, so the next start hands it back at once.
UPDATE "Job" SET "runId" = 'before-upgrade-' || "id" WHERE "status" IN ('dispatched', 'running') AND "instanceId" IS NOT NULL;

-- Jobs of earlier attempts (a retry used to queue a new job) are history of the generation's job now.
DELETE FROM "Job" j WHERE j."kind" = 'comfy.generate' AND NOT EXISTS (SELECT 1 FROM "Generation" g WHERE g."jobId" = j."id");

-- DropTable
DROP TABLE "GenerationEvent";

-- DropIndex
DROP INDEX "Generation_status_serverId_idx";

-- AlterTable
ALTER TABLE "Generation" DROP COLUMN "status",
DROP COLUMN "progress",
DROP COLUMN "error",
DROP COLUMN "errorKind",
DROP COLUMN "attempts",
DROP COLUMN "startedAt",
DROP COLUMN "finishedAt",
DROP COLUMN "outputs",
ALTER COLUMN "jobId" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Generation_jobId_key" ON "Generation"("jobId");
CREATE INDEX "Generation_serverId_idx" ON "Generation"("serverId");

-- AddForeignKey
ALTER TABLE "Generation" ADD CONSTRAINT "Generation_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;
