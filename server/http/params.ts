import { AppError } from '../../shared/errors'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function assetIdParam(value: string | undefined): string {
  if (!value || !UUID.test(value)) throw new AppError('BAD_REQUEST', 'Asset ids are UUIDs, as returned by the upload or assets.list.')
  return value
}
