import { getQuery, getRouterParam, sendStream, setResponseHeaders } from 'h3'
import { AppError } from '../../../../../shared/errors'
import { defineAuthedHandler } from '../../../../http/handler'
import { assetIdParam } from '../../../../http/params'
import { listZipEntries, openZipEntry } from '../../../../export/zip'

const ENTRY_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', json: 'application/json', txt: 'text/plain; charset=utf-8', mp4: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime', gif: 'image/gif' }

/**
 * GET /api/assets/:id/entries/:name[?download=1]: one file of a zip asset (a frame of an
 * exported sequence, a bundle's workflow), read from the archive without unpacking it.
 */
export default defineAuthedHandler(async (event, { services, user }) => {
  const file = await services.assets.file(user.id, assetIdParam(getRouterParam(event, 'id')))
  if (file.mime !== 'application/zip') throw new AppError('BAD_REQUEST', `"${file.name}" is not a zip archive; download it whole from its file route.`)
  const name = decodeURIComponent(getRouterParam(event, 'name') ?? '')
  const entry = (await listZipEntries(file.path)).find((each) => each.name === name)
  if (!entry) throw new AppError('NOT_FOUND', `"${file.name}" holds no file named "${name}".`)
  const extension = name.slice(name.lastIndexOf('.') + 1).toLowerCase()
  setResponseHeaders(event, {
    'content-type': ENTRY_TYPES[extension] ?? 'application/octet-stream',
    'content-length': entry.size,
    'cache-control': 'private, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    ...(getQuery(event).download === '1' ? { 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}` } : {}),
  })
  return sendStream(event, await openZipEntry(file.path, name))
})
