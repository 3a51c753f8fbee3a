-- Exports: a render of one composition to files, keyed by its job.
CREATE TABLE "Export" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "revision" INTEGER,
    "document" TEXT NOT NULL,
    "settings" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Export_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Export_ownerId_createdAt_idx" ON "Export"("ownerId", "createdAt");
CREATE INDEX "Export_projectId_createdAt_idx" ON "Export"("projectId", "createdAt");
ALTER TABLE "Export" ADD CONSTRAINT "Export_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Export" ADD CONSTRAINT "Export_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Export" ADD CONSTRAINT "Export_id_fkey" FOREIGN KEY ("id") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;
