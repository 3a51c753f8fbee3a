import { getHeader, getQuery, setResponseStatus } from 'h3'
import { AppError } from '../../../shared/errors'
import { formatBytes } from '../../storage/receive'
import { defineAuthedHandler } from '../../http/handler'
import { useLattice } from '../../app/instance'

/**
 * POST /api/assets/upload?name=<file name> with the raw file bytes as the body (any
 * content-type). Streams to disk; never buffers the file in memory. Answers 201 with
 * `{ asset, jobId, deduplicated }`; `jobId` is the processing job of a video or audio file.
 */
export default defineAuthedHandler(async (event, { services, user }) => {
  const { config } = await useLattice()
  const declared = Number(getHeader(event, 'content-length') ?? NaN)
  if (Number.isFinite(declared) && declared > config.maxUploadBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The file is ${formatBytes(declared)}; uploads are limited to ${formatBytes(config.maxUploadBytes)} (LATTICE_MAX_UPLOAD_MB).`)
  }
  const name = getQuery(event).name
  const result = await services.assets.ingest(user.id, event.node.req, typeof name === 'string' ? name : undefined)
  setResponseStatus(event, result.deduplicated ? 200 : 201)
  return result
})
