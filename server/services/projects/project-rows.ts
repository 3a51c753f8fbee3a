import { randomUUID } from 'node:crypto'
import type { SqlExecutor } from '../../db/sql'
import type { ProjectSummary } from './summary'

/**
 * Project rows with their document, in plain SQL: through Prisma a 5 MB document parameter
 * costs hundreds of milliseconds more on the way in and out. Timestamps are UTC wall-clock
 * times in `timestamp` columns, as Prisma writes them, so they are converted explicitly.
 */
const UTC_IN = (param: string) => `(${param}::timestamptz AT TIME ZONE 'UTC')`
const UTC_OUT = (column: string) => `("${column}" AT TIME ZONE 'UTC') AS "${column}"`

export interface StoredProject {
  id: string
  name: string
  revision: number
  document: string
  createdAt: Date
  updatedAt: Date
}

export async function selectOwnedProject(sql: SqlExecutor, ownerId: string, id: string): Promise<StoredProject | null> {
  const { rows } = await sql.query<StoredProject>(
    `SELECT id, name, revision, document, ${UTC_OUT('createdAt')}, ${UTC_OUT('updatedAt')} FROM "Project"
     WHERE id = $1 AND "ownerId" = $2 AND "deletedAt" IS NULL`,
    [id, ownerId],
  )
  return rows[0] ?? null
}

export interface DocumentWrite {
  /** The document's stored JSON text as UTF-8 (see SqlExecutor.query on why bytes). */
  documentUtf8: Uint8Array
  summary: ProjectSummary
}

/** Writes the document when `revision` is still the stored one; false when it is not (or the row is gone or trashed). */
export async function updateDocumentAtRevision(sql: SqlExecutor, ownerId: string, id: string, revision: number, write: DocumentWrite): Promise<boolean> {
  const { rows } = await sql.query(
    `UPDATE "Project" SET document = $1, summary = $2::jsonb, "documentSize" = $3, revision = revision + 1, "updatedAt" = ${UTC_IN('$4')}
     WHERE id = $5 AND "ownerId" = $6 AND revision = $7 AND "deletedAt" IS NULL RETURNING revision`,
    [write.documentUtf8, JSON.stringify(write.summary), write.documentUtf8.byteLength, new Date().toISOString(), id, ownerId, revision],
  )
  return rows.length > 0
}

/** Why a save at a revision matched no row: the row as it is now, if the owner has it at all. */
export async function selectRevisionState(sql: SqlExecutor, ownerId: string, id: string): Promise<{ revision: number; trashed: boolean } | null> {
  const { rows } = await sql.query<{ revision: number; trashed: boolean }>(
    'SELECT revision, "deletedAt" IS NOT NULL AS trashed FROM "Project" WHERE id = $1 AND "ownerId" = $2',
    [id, ownerId],
  )
  return rows[0] ?? null
}

export async function insertProject(sql: SqlExecutor, ownerId: string, name: string, write: DocumentWrite): Promise<Omit<StoredProject, 'document'>> {
  const now = new Date().toISOString()
  const { rows } = await sql.query<Omit<StoredProject, 'document'>>(
    `INSERT INTO "Project" (id, "ownerId", name, document, summary, "documentSize", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, ${UTC_IN('$7')}, ${UTC_IN('$7')})
     RETURNING id, name, revision, ${UTC_OUT('createdAt')}, ${UTC_OUT('updatedAt')}`,
    [randomUUID(), ownerId, name, write.documentUtf8, JSON.stringify(write.summary), write.documentUtf8.byteLength, now],
  )
  return rows[0]!
}

/**
 * Points the project's asset references at `assetIds`, keeping only assets the owner has;
 * returns the ids that are not such assets (missing media).
 */
export async function replaceAssetRefs(sql: SqlExecutor, ownerId: string, projectId: string, assetIds: string[]): Promise<string[]> {
  const owned = assetIds.length
    ? (await sql.query<{ id: string }>('SELECT id FROM "Asset" WHERE id = ANY($1::text[]) AND "ownerId" = $2', [assetIds, ownerId])).rows.map((row) => row.id)
    : []
  await sql.query('DELETE FROM "ProjectAssetRef" WHERE "projectId" = $1', [projectId])
  if (owned.length) await sql.query('INSERT INTO "ProjectAssetRef" ("projectId", "assetId") SELECT $1, unnest($2::text[])', [projectId, owned])
  const ownedIds = new Set(owned)
  return assetIds.filter((id) => !ownedIds.has(id))
}
