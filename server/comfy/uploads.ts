import { openAsBlob } from 'node:fs'
import { basename } from 'node:path'
import { ComfyError } from './errors'
import type { ComfyHttp } from './http'
import { uploadResultSchema, type FileRef, type UploadResult } from './protocol'

export interface UploadOptions {
  /** The name ComfyUI should store; the file's own name by default. */
  filename?: string
  subfolder?: string
  type?: 'input' | 'temp' | 'output'
  overwrite?: boolean
  signal?: AbortSignal
  timeoutMs?: number
}

export interface Uploaded extends UploadResult {
  /** What to put into `LoadImage.image`: `subfolder/name`, annotated with the folder unless it is `input`. */
  ref: string
}

/** `POST /upload/image`: the file is streamed from disk, not read into memory first. */
export function uploadImage(http: ComfyHttp, filePath: string, options: UploadOptions = {}): Promise<Uploaded> {
  return upload(http, '/upload/image', filePath, options)
}

/** `POST /upload/mask`: ComfyUI applies this image's alpha to `original` and saves the result. */
export function uploadMask(http: ComfyHttp, filePath: string, original: FileRef, options: UploadOptions = {}): Promise<Uploaded> {
  return upload(http, '/upload/mask', filePath, options, { original_ref: JSON.stringify({ filename: original.filename, subfolder: original.subfolder, type: original.type }) })
}

async function upload(http: ComfyHttp, route: string, filePath: string, options: UploadOptions, extra: Record<string, string> = {}): Promise<Uploaded> {
  const form = new FormData()
  const name = options.filename ?? basename(filePath)
  form.set('image', await openAsBlob(filePath), name)
  form.set('type', options.type ?? 'input')
  if (options.subfolder) form.set('subfolder', options.subfolder)
  if (options.overwrite) form.set('overwrite', 'true')
  for (const [key, value] of Object.entries(extra)) form.set(key, value)
  const result = await http.request(route, { method: 'POST', body: form, signal: options.signal, timeoutMs: options.timeoutMs ?? 5 * 60_000, allowClientErrors: true }, async (response) => {
    if (response.status === 413) throw new ComfyError('upload_rejected', `"${name}" is larger than the ComfyUI server accepts. Start ComfyUI with a higher --max-upload-size, or use a smaller file.`)
    if (response.status !== 200) throw new ComfyError('upload_rejected', `ComfyUI refused the upload of "${name}" (HTTP ${response.status}). Use a plain file name and a subfolder without "..".`, { status: response.status })
    const parsed = uploadResultSchema.safeParse(await response.json().catch(() => undefined))
    if (!parsed.success) throw new ComfyError('protocol', 'ComfyUI answered an upload with an unexpected body. The server may be a version Lattice does not support.')
    return parsed.data
  })
  const path = result.subfolder ? `${result.subfolder}/${result.name}` : result.name
  return { ...result, ref: result.type === 'input' ? path : `${path} [${result.type}]` }
}
