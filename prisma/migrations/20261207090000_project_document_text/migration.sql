-- AlterTable
-- A project document is kept as the JSON text the server wrote after validating it, so opening
-- a project sends that text as it is: no JSONB conversion, no parse and re-serialisation.
ALTER TABLE "Project" ALTER COLUMN "document" SET DATA TYPE TEXT USING "document"::text;

-- Compressing a 5 MB document with pglz takes ~100 ms on each save, lz4 a sixth of that. Only
-- servers built with lz4 have it (PGlite does not): elsewhere the column keeps pglz.
DO $$
BEGIN
  EXECUTE 'ALTER TABLE "Project" ALTER COLUMN "document" SET COMPRESSION lz4';
EXCEPTION WHEN OTHERS THEN
  NULL;
END $$;
