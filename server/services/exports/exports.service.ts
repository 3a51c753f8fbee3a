import type { Database } from '../../db/connect'
import type { JobQueue } from '../../jobs/queue'
import type { DataLayout } from '../../storage/paths'
import type { ProjectService } from '../projects/projects.service'
import { toJobSummary } from '../jobs/jobs.service'
import { AppError } from '../../../shared/errors'
import { exportFileSchema, exportSettingsSchema, type ExportFile, type ExportSettings } from '../../../shared/export/options'
import type { ExportCreateInput, ExportListInput } from '../../../shared/schemas/export'
import { isTerminalJobStatus, type JobEventEnvelope, type JobSummary } from '../../../shared/jobs'
import { LIMITS } from '../../../shared/limits'
import { parseDocument } from '../../../shared/project'
import { documentText } from '../projects/stored-document'
import { checkDiskSpace } from './preflight'
import { planExport } from './plan'
import { checkBundle, type TemplateSource } from './bundle'
import type { ExportJobInput } from './render.job'

/** An export as users see it: what it renders, its job's state, and its files once done. */
export interface ExportInfo {
  id: string
  projectId: string
  projectName: string
  revision: number | null
  settings: ExportSettings
  frames: number
  width: number
  height: number
  job: JobSummary
  files: ExportFile[]
  /** Export and generate: the generation it started, once done. */
  generationId: string | null
  createdAt: Date
}

/** Renders of compositions to files: asked for here, run by the `export.render` job. */
export class ExportService {
  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly projects: ProjectService,
    private readonly layout: DataLayout,
    private readonly templates?: TemplateSource,
  ) {}

  async create(ownerId: string, input: ExportCreateInput): Promise<ExportInfo> {
    const settings = exportSettingsSchema.parse(input)
    const project = await this.projects.open(ownerId, input.projectId)
    let revision: number | null = project.revision
    let text: string = project.documentJson
    if (input.document !== undefined) {
      const bytes = Buffer.byteLength(JSON.stringify(input.document) ?? '')
      if (bytes > LIMITS.maxDocumentBytes) throw new AppError('PAYLOAD_TOO_LARGE', `The document is ${(bytes / 1048576).toFixed(1)} MB; the limit is ${LIMITS.maxDocumentBytes / 1048576} MB.`)
      text = documentText(parseDocument(input.document).document)
      revision = null
    } else if (input.revision !== undefined && input.revision !== project.revision) {
      throw new AppError('CONFLICT', `The project is at revision ${project.revision}; revision ${input.revision} is no longer stored. Export the current revision, or send the document you want rendered.`)
    }
    const { document } = parseDocument(JSON.parse(text))
    const plan = planExport(document, settings, project.name)
    for (const use of [settings.bundle, settings.generate]) {
      if (!use) continue
      if (!this.templates) throw new AppError('SERVICE_UNAVAILABLE', 'Bundles and generations need the ComfyUI templates, which this process does not load.')
      checkBundle(await this.templates.get(ownerId, use.templateId), use, settings.outputs)
    }
    await checkDiskSpace(this.layout.root, plan.estimatedBytes)
    const job = await this.queue.enqueue('export.render', {
      ownerId,
      input: { frames: plan.frames, width: plan.width, height: plan.height } satisfies ExportJobInput,
      prepare: async (jobId, sql) => {
        await sql.query(
          `INSERT INTO "Export" (id, "ownerId", "projectId", revision, document, settings) VALUES ($1, $2, $3, $4, $5, $6)`,
          [jobId, ownerId, project.id, revision, text, JSON.stringify(settings)],
        )
      },
    })
    return this.get(ownerId, job.id)
  }

  async get(ownerId: string, id: string): Promise<ExportInfo> {
    const row = /^[0-9a-f-]{36}$/i.test(id) ? await this.db.prisma.export.findFirst({ where: { id, ownerId }, select: SUMMARY }) : null
    if (!row) throw new AppError('NOT_FOUND', `No export with id ${id}. It may have been removed.`)
    return toExportInfo(row)
  }

  async list(ownerId: string, input: ExportListInput): Promise<{ items: ExportInfo[]; nextCursor: string | null }> {
    const take = Math.min(input.limit ?? 50, LIMITS.maxListPageSize)
    const rows = await this.db.prisma.export.findMany({
      where: { ownerId, ...(input.projectId ? { projectId: input.projectId } : {}) },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: take + 1,
      ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
      select: SUMMARY,
    })
    const page = rows.slice(0, take)
    return { items: page.map(toExportInfo), nextCursor: rows.length > take ? page.at(-1)!.id : null }
  }

  async cancel(ownerId: string, id: string): Promise<ExportInfo> {
    await this.get(ownerId, id)
    await this.queue.cancel(id)
    return this.get(ownerId, id)
  }

  /** Forgets an export that ended; the files it made stay in the asset library until deleted there. */
  async remove(ownerId: string, id: string): Promise<void> {
    const info = await this.get(ownerId, id)
    if (!isTerminalJobStatus(info.job.status)) throw new AppError('CONFLICT', `This export is ${info.job.status}; cancel it first, then remove it.`)
    // The job row owns the export row (cascade) and its event log.
    await this.db.prisma.job.delete({ where: { id } })
  }

  async *watch(ownerId: string, id: string, afterId: number, signal?: AbortSignal): AsyncGenerator<JobEventEnvelope> {
    await this.get(ownerId, id)
    yield* this.queue.events.watch(id, afterId, signal)
  }
}

const SUMMARY = {
  id: true, projectId: true, revision: true, settings: true, createdAt: true, document: false,
  project: { select: { name: true } },
  job: true,
} as const

function toExportInfo(row: { id: string; projectId: string; revision: number | null; settings: unknown; createdAt: Date; project: { name: string }; job: Parameters<typeof toJobSummary>[0] & { input: unknown } }): ExportInfo {
  const settings = exportSettingsSchema.parse(row.settings)
  const job = toJobSummary(row.job)
  const files = exportFileSchema.array().safeParse((job.result as { files?: unknown } | null)?.files)
  const { frames, width, height } = row.job.input as ExportJobInput
  return {
    id: row.id, projectId: row.projectId, projectName: row.project.name, revision: row.revision, settings,
    frames, width, height, job, files: files.success ? files.data : [], createdAt: row.createdAt,
    generationId: typeof job.result?.generationId === 'string' ? job.result.generationId : null,
  }
}
