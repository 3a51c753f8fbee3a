import { AppError } from '../../../shared/errors'

/** Opaque keyset cursor over (updatedAt, id), stable while rows are edited. */
export function encodeCursor(row: { updatedAt: Date; id: string }): string {
  return Buffer.from(`${row.updatedAt.toISOString()}|${row.id}`).toString('base64url')
}

export function decodeCursor(cursor: string): { updatedAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString().split('|')
  const updatedAt = new Date(iso ?? '')
  if (!id || Number.isNaN(updatedAt.getTime())) throw new AppError('BAD_REQUEST', 'The list cursor is not valid; start again from the first page.')
  return { updatedAt, id }
}
