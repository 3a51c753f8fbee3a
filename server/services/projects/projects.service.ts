import type { Database } from '../../db/connect'
import type { Prisma } from '../../db/generated/client'
import { readProjectFile, toProjectFile } from './project-file'
import { AppError } from '../../../shared/errors'
import { LIMITS } from '../../../shared/limits'
import { collectAssetIds, createEmptyDocument, parseDocument, type ProjectDocument } from '../../../shared/project'
import type { ProjectCreateInput, ProjectListInput } from '../../../shared/schemas/projects'
import { decodeCursor, encodeCursor } from './cursor'
import { CURRENT_SCHEMA_VERSION } from '../../../shared/project/schema'
import { summarize, type ProjectSummary } from './summary'

export interface ProjectListItem {
  id: string
  name: string
  revision: number
  summary: ProjectSummary
  thumbnailUrl: string | null
  createdAt: Date
  updatedAt: Date
  deletedAt: Date | null
}

export class ProjectService {
  constructor(private readonly db: Database) {}

  async create(ownerId: string, input: ProjectCreateInput) {
    const document = createEmptyDocument(input)
    return this.insert(ownerId, input.name, document)
  }

  async get(ownerId: string, id: string) {
    const row = await this.findOwned(ownerId, id)
    // Older documents open after migration; the stored one is rewritten on the next save.
    // A current-version document was validated when it was saved: skip re-validating it.
    const { document, migratedFrom } = isCurrentVersion(row.document)
      ? { document: row.document as unknown as ProjectDocument, migratedFrom: null }
      : parseDocument(row.document)
    return { id: row.id, name: row.name, revision: row.revision, document, migratedFrom, createdAt: row.createdAt, updatedAt: row.updatedAt }
  }

  async list(ownerId: string, input: ProjectListInput): Promise<{ items: ProjectListItem[]; nextCursor: string | null }> {
    const take = Math.min(input.limit ?? 30, LIMITS.maxListPageSize)
    const after = input.cursor ? decodeCursor(input.cursor) : null
    const where: Prisma.ProjectWhereInput = {
      ownerId,
      deletedAt: input.trashed ? { not: null } : null,
      ...(input.search ? { name: { contains: input.search, mode: 'insensitive' } } : {}),
      ...(after ? { OR: [{ updatedAt: { lt: after.updatedAt } }, { updatedAt: after.updatedAt, id: { lt: after.id } }] } : {}),
    }
    const rows = await this.db.prisma.project.findMany({
      where,
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      take: take + 1,
      select: { id: true, name: true, revision: true, summary: true, createdAt: true, updatedAt: true, deletedAt: true, assetRefs: { select: { asset: { select: { id: true, hasThumbnail: true, kind: true } } } } },
    })
    const page = rows.slice(0, take)
    const last = page.at(-1)
    return {
      items: page.map((row) => {
        const withThumb = row.assetRefs.map((r) => r.asset).find((a) => a.hasThumbnail && a.kind !== 'audio')
        return {
          id: row.id, name: row.name, revision: row.revision, summary: row.summary as unknown as ProjectSummary,
          thumbnailUrl: withThumb ? `/api/assets/${withThumb.id}/thumbnail` : null,
          createdAt: row.createdAt, updatedAt: row.updatedAt, deletedAt: row.deletedAt,
        }
      }),
      nextCursor: rows.length > take && last ? encodeCursor(last) : null,
    }
  }

  /**
   * Optimistic save: succeeds only when `revision` is the stored one. The document, its summary
   * and its asset references change in one transaction or not at all.
   */
  async save(ownerId: string, input: { id: string; revision: number; document: unknown }) {
    const { document, bytes } = validate(input.document)
    const summary = summarize(document)
    return this.db.prisma.$transaction(async (tx) => {
      const { count } = await tx.project.updateMany({
        where: { id: input.id, ownerId, revision: input.revision, deletedAt: null },
        data: { document: document as object, summary: summary as object, documentSize: bytes, revision: { increment: 1 }, updatedAt: new Date() },
      })
      if (count === 0) {
        const current = await tx.project.findFirst({ where: { id: input.id, ownerId } })
        if (!current) throw notFound(input.id)
        if (current.deletedAt) throw new AppError('CONFLICT', 'This project is in the trash; restore it before saving.')
        throw new AppError('CONFLICT', `The project was saved elsewhere (now revision ${current.revision}, you had ${input.revision}). Reload it, or save your copy as a duplicate.`, { currentRevision: current.revision })
      }
      const missingAssetIds = await replaceAssetRefs(tx, ownerId, input.id, document)
      return { revision: input.revision + 1, missingAssetIds }
    })
  }

  async rename(ownerId: string, id: string, name: string) {
    await this.findOwned(ownerId, id)
    const row = await this.db.prisma.project.update({ where: { id }, data: { name, updatedAt: new Date() } })
    return { id: row.id, name: row.name }
  }

  async duplicate(ownerId: string, id: string, name?: string) {
    const row = await this.findOwned(ownerId, id)
    const { document } = parseDocument(row.document)
    return this.insert(ownerId, name ?? `${row.name} copy`, document)
  }

  async delete(ownerId: string, id: string) {
    await this.findOwned(ownerId, id)
    await this.db.prisma.project.update({ where: { id }, data: { deletedAt: new Date() } })
  }

  async restore(ownerId: string, id: string) {
    const row = await this.findOwned(ownerId, id, true)
    if (!row.deletedAt) throw new AppError('BAD_REQUEST', 'This project is not in the trash.')
    await this.db.prisma.project.update({ where: { id }, data: { deletedAt: null, updatedAt: new Date() } })
  }

  /** Removes a trashed project for good. */
  async purge(ownerId: string, id: string) {
    const row = await this.findOwned(ownerId, id, true)
    if (!row.deletedAt) throw new AppError('BAD_REQUEST', 'Move the project to the trash before deleting it for good.')
    await this.db.prisma.project.delete({ where: { id } })
  }

  /** The project as a `.lattice.json` file, ready to download. */
  async exportFile(ownerId: string, id: string) {
    const project = await this.get(ownerId, id)
    return toProjectFile(project.name, project.document)
  }

  /** Creates a project from an exported file, a bare document or an original-Lattice project. */
  async importFile(ownerId: string, raw: unknown, name?: string) {
    const read = readProjectFile(raw)
    const created = await this.insert(ownerId, name ?? read.name ?? 'Imported project', read.document)
    const warnings = [...read.warnings]
    if (created.missingAssetIds.length > 0) {
      warnings.push(`${created.missingAssetIds.length} media reference(s) point to assets this server does not have; upload those files and relink the layers.`)
    }
    return { ...created, source: read.source, warnings }
  }

  async insert(ownerId: string, name: string, document: ProjectDocument) {
    const { bytes } = validate(document)
    return this.db.prisma.$transaction(async (tx) => {
      const row = await tx.project.create({ data: { ownerId, name, document: document as object, summary: summarize(document) as object, documentSize: bytes } })
      const missingAssetIds = await replaceAssetRefs(tx, ownerId, row.id, document)
      return { id: row.id, name: row.name, revision: row.revision, createdAt: row.createdAt, updatedAt: row.updatedAt, missingAssetIds }
    })
  }

  private async findOwned(ownerId: string, id: string, includeTrashed = false) {
    const row = await this.db.prisma.project.findFirst({ where: { id, ownerId, ...(includeTrashed ? {} : { deletedAt: null }) } })
    if (!row) throw notFound(id)
    return row
  }
}

function notFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No project with id ${id}. It may have been deleted or belong to someone else.`)
}

function validate(raw: unknown): { document: ProjectDocument; bytes: number } {
  const bytes = Buffer.byteLength(JSON.stringify(raw) ?? '')
  if (bytes > LIMITS.maxDocumentBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The project document is ${(bytes / 1048576).toFixed(1)} MB; the limit is ${LIMITS.maxDocumentBytes / 1048576} MB. Split it into several projects or remove unused compositions.`)
  }
  return { document: parseDocument(raw).document, bytes }
}

/** References only owned, existing assets; others are reported as missing media, as editors do. */
async function replaceAssetRefs(tx: Prisma.TransactionClient, ownerId: string, projectId: string, document: ProjectDocument): Promise<string[]> {
  const ids = collectAssetIds(document)
  const owned = ids.length ? await tx.asset.findMany({ where: { id: { in: ids }, ownerId }, select: { id: true } }) : []
  const ownedIds = new Set(owned.map((a) => a.id))
  await tx.projectAssetRef.deleteMany({ where: { projectId } })
  if (ownedIds.size) await tx.projectAssetRef.createMany({ data: [...ownedIds].map((assetId) => ({ projectId, assetId })) })
  return ids.filter((id) => !ownedIds.has(id))
}

function isCurrentVersion(stored: unknown): boolean {
  return typeof stored === 'object' && stored !== null && (stored as { schemaVersion?: unknown }).schemaVersion === CURRENT_SCHEMA_VERSION
}
