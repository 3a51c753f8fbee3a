import type { Database } from '../../db/connect'
import type { JobDefinition } from '../../jobs/types'
import { detectMediaType } from '../../media'
import { AppError } from '../../../shared/errors'
import type { AssetService } from './assets.service'
import type { DataLayout } from '../../storage/paths'

interface Input { assetId: string }

/** Probes an uploaded video or audio file (ffprobe) and renders its thumbnail (ffmpeg + sharp). */
export function assetProcessJob(db: Database, assets: AssetService, layout: DataLayout): JobDefinition<Input> {
  return {
    kind: 'asset.process',
    retryLimit: 3,
    retryDelaySeconds: 2,
    expireInSeconds: 15 * 60,
    concurrency: 2,
    async run({ input, progress }) {
      const asset = await db.prisma.asset.findUnique({ where: { id: input.assetId } })
      if (!asset) throw new AppError('NOT_FOUND', 'The asset was deleted before it was processed.')
      await progress(0.05, 'detecting')
      const detected = await detectMediaType(layout.assetFile(asset.hash))
      await progress(0.2, 'probing')
      const result = await assets.analyse(asset.hash, detected)
      await progress(0.9, 'saving')
      // What made the asset (`origin`, set when the server wrote it) stays beside what probing found.
      const origin = (asset.metadata as { origin?: unknown } | null)?.origin
      const metadata = origin === undefined ? result.metadata : { ...result.metadata, origin }
      await db.prisma.asset.update({ where: { id: asset.id }, data: { kind: result.kind, mime: result.mime, metadata: metadata as object, hasThumbnail: result.hasThumbnail, status: 'ready', error: null } })
      return { assetId: asset.id, kind: result.kind, metadata: metadata as Record<string, unknown>, hasThumbnail: result.hasThumbnail }
    },
    async onSettled(input, status, error) {
      if (status === 'succeeded') return
      await db.prisma.asset.updateMany({ where: { id: input.assetId, status: 'processing' }, data: { status: 'failed', error: status === 'cancelled' ? 'Processing was cancelled.' : error ?? 'Processing failed.' } })
    },
  }
}
