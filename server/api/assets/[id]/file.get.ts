import { getQuery, getRouterParam } from 'h3'
import { defineAuthedHandler } from '../../../http/handler'
import { sendFile } from '../../../http/send-file'
import { assetIdParam } from '../../../http/params'

/** GET (or HEAD) /api/assets/:id/file[?download=1]: the original bytes, with Range support. */
export default defineAuthedHandler(async (event, { services, user }) => {
  const file = await services.assets.file(user.id, assetIdParam(getRouterParam(event, 'id')))
  const download = getQuery(event).download === '1'
  return sendFile(event, { path: file.path, size: file.size, mime: file.mime, etag: file.hash, downloadName: download ? file.name : undefined })
})
