import { isAbsolute, relative, resolve } from 'node:path'
import { AppError } from '../../shared/errors'

/**
 * Joins user-influenced parts under `root` and refuses any result outside it ("..", absolute
 * parts, encoded separators already decoded by the caller).
 */
export function resolveInside(root: string, ...parts: string[]): string {
  const base = resolve(root)
  const target = resolve(base, ...parts)
  const rel = relative(base, target)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || parts.some((p) => p.includes('\0'))) {
    throw new AppError('BAD_REQUEST', 'That path points outside its folder; use a plain file name.')
  }
  return target
}

const SHA256 = /^[a-f0-9]{64}$/

/** Where the data dir keeps things. Content is addressed by SHA-256, fanned out by its first byte. */
export class DataLayout {
  constructor(readonly root: string) {}

  assetFile(hash: string): string {
    return resolveInside(this.root, 'assets', checkHash(hash).slice(0, 2), hash)
  }

  thumbnailFile(hash: string): string {
    return resolveInside(this.root, 'thumbnails', checkHash(hash).slice(0, 2), `${hash}.webp`)
  }

  /** Uploads land here first and are renamed into place once complete, never half-visible. */
  tmpDir(): string {
    return resolveInside(this.root, 'tmp')
  }
}

function checkHash(hash: string): string {
  if (!SHA256.test(hash)) throw new AppError('BAD_REQUEST', 'Not a content hash.')
  return hash
}
