import { mkdir, rename, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Readable } from 'node:stream'
import type { Database } from '../../db/connect'
import type { Asset } from '../../db/generated/client'
import type { JobQueue } from '../../jobs/queue'
import { detectMediaType, makeThumbnail, probeImage, probeMedia } from '../../media'
import type { DataLayout } from '../../storage/paths'
import { hashFile, receiveToTemp, type ReceivedFile } from '../../storage/receive'
import { AppError } from '../../../shared/errors'
import { LIMITS } from '../../../shared/limits'
import { cleanAssetName, toAssetInfo, type AssetInfo, type AssetKind } from './asset.dto'
import type { AssetListInput } from '../../../shared/schemas/assets'

export interface IngestResult {
  asset: AssetInfo
  /** The processing job for video and audio, whose progress `jobs.watch` streams. */
  jobId: string | null
  /** The same content was uploaded before: the existing asset is returned. */
  deduplicated: boolean
}

export class AssetService {
  constructor(
    private readonly db: Database,
    private readonly layout: DataLayout,
    private readonly queue: Pick<JobQueue, 'enqueue'>,
    readonly maxUploadBytes: number,
    readonly maxOutputBytes: number = LIMITS.defaultMaxOutputBytes,
  ) {}

  /** `source` "output": a ComfyUI result, held to the output limit rather than the upload one. */
  async ingest(ownerId: string, body: Readable, rawName: string | undefined, source: 'upload' | 'output' = 'upload'): Promise<IngestResult> {
    const received = source === 'output'
      ? await receiveToTemp(body, this.layout.tmpDir(), this.maxOutputBytes, 'LATTICE_MAX_OUTPUT_MB')
      : await receiveToTemp(body, this.layout.tmpDir(), this.maxUploadBytes)
    return this.adopt(ownerId, received, rawName)
  }

  /**
   * Makes an asset of a file already received and hashed (in the data folder's tmp, within its
   * limit): moved into content-addressed storage, or matched to the same content stored before.
   * The file at `received.path` is gone afterwards either way.
   */
  async adopt(ownerId: string, received: ReceivedFile, rawName: string | undefined, options: { deferThumbnail?: boolean; origin?: AssetOrigin; analyseNow?: boolean } = {}): Promise<IngestResult> {
    const detected = await detectMediaType(received.path).catch(async (error: unknown) => {
      await rm(received.path, { force: true })
      throw error
    })
    return this.store(ownerId, received, async (stored) => {
      const name = cleanAssetName(rawName, `upload.${detected.ext}`)
      const base = { ownerId, name, mime: detected.mime, size: BigInt(received.size), hash: received.sha256 }
      if (detected.kind === 'image') {
        // A deferred thumbnail is made by `ensureThumbnail` (or on its first request), off the caller's path.
        const { metadata, hasThumbnail } = options.deferThumbnail
          ? { metadata: await probeImage(stored) as object, hasThumbnail: false }
          : await this.analyse(received.sha256, detected)
        return { row: await this.db.prisma.asset.create({ data: { ...base, kind: 'image', status: 'ready', metadata: withOrigin(metadata, options.origin), hasThumbnail } }), jobId: null }
      }
      if (options.analyseNow) {
        // The caller hands the asset on at once (an AI task's result goes straight into a layer): probe it here.
        const analysed = await this.analyse(received.sha256, detected)
        return { row: await this.db.prisma.asset.create({ data: { ...base, kind: analysed.kind, mime: analysed.mime, status: 'ready', metadata: withOrigin(analysed.metadata, options.origin), hasThumbnail: analysed.hasThumbnail } }), jobId: null }
      }
      const row = await this.db.prisma.asset.create({ data: { ...base, kind: detected.kind, status: 'processing', metadata: withOrigin({}, options.origin) } })
      const job = await this.queue.enqueue('asset.process', { ownerId, input: { assetId: row.id }, assetId: row.id })
      return { row, jobId: job.id }
    })
  }

  /**
   * Makes an asset of a file the server wrote itself (in the data folder's tmp): media go through
   * `adopt` (probed, thumbnailed); a declared archive or data file is stored as kind `file`. The
   * file is gone afterwards either way.
   */
  async adoptMade(ownerId: string, path: string, name: string, declared?: { mime: string }, options: { origin?: AssetOrigin; analyseNow?: boolean } = {}): Promise<IngestResult> {
    const { origin } = options
    const received = await hashFile(path)
    if (!declared) return this.adopt(ownerId, received, name, options)
    return this.store(ownerId, received, async () => ({
      row: await this.db.prisma.asset.create({ data: { ownerId, name: cleanAssetName(name, 'export'), mime: declared.mime, size: BigInt(received.size), hash: received.sha256, kind: 'file', status: 'ready', metadata: withOrigin({}, origin) } }),
      jobId: null,
    }))
  }

  /**
   * Moves received content into content-addressed storage and makes its row with `create`, or
   * returns the owner's asset of the same content. On failure the content goes again unless
   * another asset uses it; the received file is gone afterwards either way.
   */
  private async store(ownerId: string, received: ReceivedFile, create: (stored: string) => Promise<{ row: Asset; jobId: string | null }>): Promise<IngestResult> {
    try {
      const existing = await this.db.prisma.asset.findUnique({ where: { ownerId_hash: { ownerId, hash: received.sha256 } } })
      if (existing) return { asset: toAssetInfo(existing), jobId: null, deduplicated: true }
      const stored = this.layout.assetFile(received.sha256)
      await mkdir(dirname(stored), { recursive: true })
      // Same content from another user is already in place; rename is atomic either way.
      await rename(received.path, stored)
      const { row, jobId } = await create(stored)
      return { asset: toAssetInfo(row), jobId, deduplicated: false }
    } catch (error) {
      if (isUniqueViolation(error)) {
        const row = await this.db.prisma.asset.findUniqueOrThrow({ where: { ownerId_hash: { ownerId, hash: received.sha256 } } })
        return { asset: toAssetInfo(row), jobId: null, deduplicated: true }
      }
      await this.removeContentIfUnused(received.sha256)
      throw error
    } finally {
      await rm(received.path, { force: true })
    }
  }

  /** Probes the stored content and writes its thumbnail: the work of the `asset.process` job. */
  async analyse(hash: string, detected: Awaited<ReturnType<typeof detectMediaType>>) {
    const path = this.layout.assetFile(hash)
    const probed = await probeMedia(path, detected)
    const thumbPath = this.layout.thumbnailFile(hash)
    await mkdir(dirname(thumbPath), { recursive: true })
    // The probe already knows the duration; passing it spares makeThumbnail a second ffprobe.
    const durationSeconds = (probed.metadata as { durationSeconds?: number }).durationSeconds
    const thumb = await makeThumbnail(path, probed.kind, thumbPath, { durationSeconds })
    return { kind: probed.kind as AssetKind, mime: probed.mime, metadata: probed.metadata as object, hasThumbnail: thumb !== null }
  }

  async list(ownerId: string, input: AssetListInput) {
    const take = Math.min(input.limit ?? 50, LIMITS.maxListPageSize)
    const rows = await this.db.prisma.asset.findMany({
      where: { ownerId, kind: input.kind, name: input.search ? { contains: input.search, mode: 'insensitive' } : undefined },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: take + 1,
      ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
    })
    const page = rows.slice(0, take)
    return { items: page.map(toAssetInfo), nextCursor: rows.length > take ? page.at(-1)!.id : null }
  }

  async get(ownerId: string, id: string): Promise<AssetInfo> {
    return toAssetInfo(await this.findOwned(ownerId, id))
  }

  async rename(ownerId: string, id: string, name: string): Promise<AssetInfo> {
    await this.findOwned(ownerId, id)
    const row = await this.db.prisma.asset.update({ where: { id }, data: { name: cleanAssetName(name, 'untitled') } })
    return toAssetInfo(row)
  }

  /** Refused while a project (trashed ones too) references the asset: nothing silently breaks. */
  async delete(ownerId: string, id: string): Promise<void> {
    const row = await this.findOwned(ownerId, id)
    const refs = await this.db.prisma.projectAssetRef.findMany({ where: { assetId: id }, include: { project: { select: { name: true, deletedAt: true } } } })
    if (refs.length > 0) {
      const names = refs.map((r) => `"${r.project.name}"${r.project.deletedAt ? ' (in trash)' : ''}`).join(', ')
      throw new AppError('CONFLICT', `This asset is used by ${names}. Remove those layers (or empty the trash) first.`, { projects: refs.map((r) => r.projectId) })
    }
    await this.db.prisma.asset.delete({ where: { id } })
    await this.removeContentIfUnused(row.hash)
  }

  async file(ownerId: string, id: string) {
    const row = await this.findOwned(ownerId, id)
    const path = this.layout.assetFile(row.hash)
    const info = await stat(path).catch(() => null)
    if (!info) throw new AppError('NOT_FOUND', `The file of asset "${row.name}" is missing from the data folder; upload it again.`)
    return { path, size: info.size, mime: row.mime, name: row.name, hash: row.hash }
  }

  /** Makes an image's thumbnail if it has none yet (its ingest deferred it); true once it has one. */
  async ensureThumbnail(id: string): Promise<boolean> {
    const row = await this.db.prisma.asset.findUnique({ where: { id }, select: { hash: true, kind: true, hasThumbnail: true } })
    if (!row || row.kind !== 'image') return false
    if (row.hasThumbnail) return true
    const thumbPath = this.layout.thumbnailFile(row.hash)
    await mkdir(dirname(thumbPath), { recursive: true })
    const made = await makeThumbnail(this.layout.assetFile(row.hash), 'image', thumbPath)
    if (made) await this.db.prisma.asset.update({ where: { id }, data: { hasThumbnail: true } })
    return made !== null
  }

  async thumbnail(ownerId: string, id: string) {
    let row = await this.findOwned(ownerId, id)
    if (!row.hasThumbnail && row.kind === 'image' && await this.ensureThumbnail(id)) row = await this.findOwned(ownerId, id)
    if (!row.hasThumbnail) throw new AppError('NOT_FOUND', `Asset "${row.name}" has no thumbnail.`)
    return { path: this.layout.thumbnailFile(row.hash), hash: row.hash }
  }

  private async findOwned(ownerId: string, id: string) {
    const row = await this.db.prisma.asset.findFirst({ where: { id, ownerId } })
    if (!row) throw new AppError('NOT_FOUND', `No asset with id ${id}. It may have been deleted.`)
    return row
  }

  private async removeContentIfUnused(hash: string): Promise<void> {
    if ((await this.db.prisma.asset.count({ where: { hash } })) > 0) return
    await rm(this.layout.assetFile(hash), { force: true })
    await rm(this.layout.thumbnailFile(hash), { force: true })
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002'
}

/**
 * How the server made an asset (an AI task's model, convention and value range), kept in its
 * metadata under `origin` beside what probing finds, so a depth map says what its grey levels mean.
 */
export type AssetOrigin = Record<string, unknown>

function withOrigin(metadata: object, origin: AssetOrigin | undefined): object {
  return origin ? { ...metadata, origin } : metadata
}
