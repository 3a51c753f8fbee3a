import { stat } from 'node:fs/promises'
import { getRouterParam } from 'h3'
import { AppError } from '../../../../shared/errors'
import { defineAuthedHandler } from '../../../http/handler'
import { sendFile } from '../../../http/send-file'
import { assetIdParam } from '../../../http/params'

/** GET /api/assets/:id/thumbnail: a WebP preview (images, video frames, audio waveforms). */
export default defineAuthedHandler(async (event, { services, user }) => {
  const thumb = await services.assets.thumbnail(user.id, assetIdParam(getRouterParam(event, 'id')))
  const info = await stat(thumb.path).catch(() => null)
  if (!info) throw new AppError('NOT_FOUND', 'The thumbnail file is missing; it is made again when the asset is uploaded again.')
  return sendFile(event, { path: thumb.path, size: info.size, mime: 'image/webp', etag: `thumb-${thumb.hash}` })
})
