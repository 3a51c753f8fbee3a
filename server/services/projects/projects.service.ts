import type { Database } from '../../db/connect'
import type { Prisma } from '../../db/generated/client'
import { readProjectFile, toProjectFile } from './project-file'
import { AppError } from '../../../shared/errors'
import type { JsonText } from '../../../shared/json-text'
import { LIMITS } from '../../../shared/limits'
import { collectAssetIds, createEmptyDocument, isCanonicalDocument, parseDocument, type ProjectDocument } from '../../../shared/project'
import type { ProjectCreateInput, ProjectListInput } from '../../../shared/schemas/projects'
import { decodeCursor, encodeCursor } from './cursor'
import { insertProject, replaceAssetRefs, selectOwnedProject, selectRevisionState, updateDocumentAtRevision, type DocumentWrite } from './project-rows'
import { documentText, isStoredForm, openStoredDocument } from './stored-document'
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

  /** The project with its document as JSON text, ready to send as it is. */
  async open(ownerId: string, id: string): Promise<ProjectDetailText> {
    const row = await selectOwnedProject(this.db.sql, ownerId, id)
    if (!row) throw notFound(id)
    // Older documents open after migration; the stored one is rewritten on the next save.
    const { documentJson, migratedFrom } = openStoredDocument(row.document)
    return { id: row.id, name: row.name, revision: row.revision, documentJson, migratedFrom, createdAt: row.createdAt, updatedAt: row.updatedAt }
  }

  /** The project with its document parsed. */
  async get(ownerId: string, id: string) {
    const { documentJson, ...project } = await this.open(ownerId, id)
    return { ...project, document: JSON.parse(documentJson) as ProjectDocument }
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
   * and its asset references change in one transaction or not at all. `documentJson`, the text
   * `document` was parsed from when the caller has it, is stored as it is if it needs no change.
   */
  async save(ownerId: string, input: { id: string; revision: number; document: unknown; documentJson?: string }) {
    const { document, ...write } = validate(input.document, input.documentJson)
    return this.db.transaction(async (sql) => {
      if (!await updateDocumentAtRevision(sql, ownerId, input.id, input.revision, write)) {
        const current = await selectRevisionState(sql, ownerId, input.id)
        if (!current) throw notFound(input.id)
        if (current.trashed) throw new AppError('CONFLICT', 'This project is in the trash; restore it before saving.')
        throw new AppError('CONFLICT', `The project was saved elsewhere (now revision ${current.revision}, you had ${input.revision}). Reload it, or save your copy as a duplicate.`, { currentRevision: current.revision })
      }
      const missingAssetIds = await replaceAssetRefs(sql, ownerId, input.id, collectAssetIds(document))
      return { revision: input.revision + 1, missingAssetIds }
    })
  }

  async rename(ownerId: string, id: string, name: string) {
    await this.findOwned(ownerId, id)
    const row = await this.db.prisma.project.update({ where: { id }, data: { name, updatedAt: new Date() } })
    return { id: row.id, name: row.name }
  }

  async duplicate(ownerId: string, id: string, name?: string) {
    const project = await this.get(ownerId, id)
    return this.insert(ownerId, name ?? `${project.name} copy`, project.document)
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
    const { document: valid, ...write } = validate(document)
    return this.db.transaction(async (sql) => {
      const row = await insertProject(sql, ownerId, name, write)
      const missingAssetIds = await replaceAssetRefs(sql, ownerId, row.id, collectAssetIds(valid))
      return { id: row.id, name: row.name, revision: row.revision, createdAt: row.createdAt, updatedAt: row.updatedAt, missingAssetIds }
    })
  }

  /** The row without its document, for changes that do not touch the document. */
  private async findOwned(ownerId: string, id: string, includeTrashed = false) {
    const row = await this.db.prisma.project.findFirst({
      where: { id, ownerId, ...(includeTrashed ? {} : { deletedAt: null }) },
      select: { id: true, name: true, deletedAt: true },
    })
    if (!row) throw notFound(id)
    return row
  }
}

function notFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No project with id ${id}. It may have been deleted or belong to someone else.`)
}

function checkSize(bytes: number): void {
  if (bytes > LIMITS.maxDocumentBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The project document is ${(bytes / 1048576).toFixed(1)} MB; the limit is ${LIMITS.maxDocumentBytes / 1048576} MB. Split it into several projects or remove unused compositions.`)
  }
}

/**
 * The document to store and its text. A document saved as it was loaded is canonical: one
 * cheap walk validates it, and its own text (when given, in stored form) is what is stored.
 * Anything else is sized before zod parses it.
 */
function validate(raw: unknown, rawJson?: string): DocumentWrite & { document: ProjectDocument } {
  const canonical = isCanonicalDocument(raw)
  if (!canonical) checkSize(Buffer.byteLength(JSON.stringify(raw) ?? ''))
  const document = canonical ? raw : parseDocument(raw).document
  const text = canonical && rawJson !== undefined && isStoredForm(rawJson) ? rawJson : documentText(document)
  const documentUtf8 = Buffer.from(text)
  checkSize(documentUtf8.byteLength)
  return { document, documentUtf8, summary: summarize(document) }
}

export interface ProjectDetailText {
  id: string
  name: string
  revision: number
  documentJson: JsonText<ProjectDocument>
  migratedFrom: number | null
  createdAt: Date
  updatedAt: Date
}
