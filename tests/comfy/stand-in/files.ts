import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path'
import sharp from 'sharp'

/** `/upload/image`, `/upload/mask` and `/view` as server.py:316-518 handle them. */

export interface Folders { input: string; output: string; temp: string }
export type Reply = { status: number; json?: unknown; text?: string }

const inside = (root: string, path: string) => {
  const rel = relative(resolve(root), resolve(path))
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

export async function handleUpload(folders: Folders, form: FormData, mask: boolean): Promise<Reply> {
  const image = form.get('image')
  if (image === null) return { status: 400 }
  if (typeof image === 'string') return image === '' ? { status: 400 } : { status: 500, text: '500 Internal Server Error\n\nServer got itself in trouble' }
  if (!image.name) return { status: 400 }
  const type = String(form.get('type') ?? 'input') || 'input'
  if (!(type in folders)) return { status: 500, text: '500 Internal Server Error\n\nServer got itself in trouble' }
  const root = folders[type as keyof Folders]
  const subfolder = String(form.get('subfolder') ?? '')
  const dir = join(root, subfolder)
  if (!inside(root, dir)) return { status: 400 }
  await mkdir(dir, { recursive: true })
  const overwrite = ['true', '1'].includes(String(form.get('overwrite') ?? ''))
  const bytes = Buffer.from(await image.arrayBuffer())
  let name = basename(image.name)
  if (!overwrite) {
    const ext = extname(name)
    const stem = name.slice(0, name.length - ext.length)
    for (let i = 1; existsSync(join(dir, name)); i++) {
      if (sha256(await readFile(join(dir, name))) === sha256(bytes)) break
      name = `${stem} (${i})${ext}`
    }
  }
  if (mask) {
    const refText = form.get('original_ref')
    if (typeof refText !== 'string') return { status: 500, text: '500 Internal Server Error\n\nServer got itself in trouble' }
    const original = originalPath(folders, refText)
    // An invalid original is silently skipped, still answering 200 (server.py:370-414).
    if (original) {
      const rgb = await sharp(original).removeAlpha().raw().toBuffer({ resolveWithObject: true })
      const { width, height } = rgb.info
      const alpha = await sharp(bytes).ensureAlpha().extractChannel(3).resize(width, height).raw().toBuffer()
      // Two pipelines: sharp applies removeAlpha after joinChannel within one.
      await sharp(rgb.data, { raw: rgb.info }).joinChannel(alpha, { raw: { width, height, channels: 1 } }).png().toFile(join(dir, name))
    }
  } else if (!existsSync(join(dir, name)) || overwrite) {
    await writeFile(join(dir, name), bytes)
  }
  return { status: 200, json: { name, subfolder, type } }
}

function originalPath(folders: Folders, refText: string): string | undefined {
  try {
    const ref = JSON.parse(refText) as { filename?: string; subfolder?: string; type?: string }
    if (!ref.filename || ref.filename.includes('..') || ref.filename.startsWith('/')) return undefined
    const root = folders[(ref.type ?? 'output') as keyof Folders]
    if (!root) return undefined
    const path = join(root, ref.subfolder ?? '', ref.filename)
    return inside(root, path) && existsSync(path) ? path : undefined
  } catch {
    return undefined
  }
}

const TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.mp4': 'video/mp4', '.webm': 'video/webm', '.gif': 'image/gif' }

/** Streams the file, as aiohttp's FileResponse does; returns false when a bare status was sent. */
export async function handleView(folders: Folders, query: URLSearchParams, res: ServerResponse): Promise<void> {
  let filename = query.get('filename')
  if (filename === null) return bare(res, 404)
  let type = query.get('type') || 'output'
  const annotated = /^(.*) \[(output|input|temp)\]$/.exec(filename)
  if (annotated) {
    filename = annotated[1]!
    type = annotated[2]!
  }
  if (filename === '' || filename.startsWith('/') || filename.includes('..')) return bare(res, 400)
  if (!(type in folders)) return bare(res, 400)
  let dir = folders[type as keyof Folders]
  const subfolder = query.get('subfolder')
  if (subfolder) {
    const full = resolve(join(dir, subfolder))
    if (!inside(dir, full)) return bare(res, 403)
    dir = full
  }
  const path = join(dir, basename(filename))
  const info = await stat(path).catch(() => undefined)
  if (!info?.isFile()) return bare(res, 404)
  res.writeHead(200, { 'content-type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream', 'content-length': info.size, 'content-disposition': `filename="${basename(path)}"` })
  createReadStream(path).pipe(res)
}

function bare(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': 0, 'content-type': 'application/octet-stream' })
  res.end()
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}
