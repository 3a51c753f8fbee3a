import { appUrl, type AssetInfo } from './api'

export interface UploadResult {
  asset: AssetInfo
  /** The processing job of a video or audio file; `jobs.watch` streams its progress. */
  jobId: string | null
  /** The same bytes were uploaded before: the existing asset came back. */
  deduplicated: boolean
}

/** An upload the server refused, with its message for users and its code (PAYLOAD_TOO_LARGE, …). */
export class UploadError extends Error {
  constructor(message: string, readonly status: number, readonly data: { code?: string }) {
    super(message)
    this.name = 'UploadError'
  }
}

/**
 * Sends one file to `POST /api/assets/upload` as the raw request body. XMLHttpRequest rather than
 * fetch because only it reports upload progress. The session cookie authenticates it.
 */
export function uploadAsset(file: File, onProgress: (loaded: number, total: number) => void, signal?: AbortSignal): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', appUrl(`/api/assets/upload?name=${encodeURIComponent(file.name)}`))
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream')
    xhr.responseType = 'json'
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size)
    xhr.onload = () => {
      const body = xhr.response as (UploadResult & { message?: string; data?: { code?: string } }) | null
      if (xhr.status >= 200 && xhr.status < 300 && body?.asset) {
        resolve({ ...body, asset: { ...body.asset, createdAt: new Date(body.asset.createdAt) } })
        return
      }
      const message = body?.message || (xhr.status === 413 ? 'The file is larger than the upload limit.' : `The upload failed (HTTP ${xhr.status}).`)
      reject(new UploadError(message, xhr.status, { code: body?.data?.code }))
    }
    xhr.onerror = () => reject(new UploadError('The upload was interrupted: the connection to the server dropped. Try again.', 0, {}))
    xhr.onabort = () => reject(new UploadError('The upload was cancelled.', 0, { code: 'ABORTED' }))
    signal?.addEventListener('abort', () => xhr.abort())
    xhr.send(file)
  })
}
