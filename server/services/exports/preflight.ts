import { statfs } from 'node:fs/promises'
import { AppError } from '../../../shared/errors'
import { ffmpegAvailable } from '../../media'
import { formatBytes } from '../../storage/receive'
import { ExportToolMissing } from '../../export/browser'

/** Room left for everything else on the data folder's disk after an export's estimate. */
const DISK_MARGIN_BYTES = 256 * 1024 * 1024

/** Free space on the disk holding `folder` must cover the export's estimate (and a margin). */
export async function checkDiskSpace(folder: string, estimatedBytes: number): Promise<void> {
  const stats = await statfs(folder).catch(() => null)
  if (!stats) return
  const free = stats.bavail * stats.bsize
  if (free < estimatedBytes + DISK_MARGIN_BYTES) {
    throw new AppError('BAD_REQUEST', `This export needs about ${formatBytes(estimatedBytes)} and the data folder's disk has ${formatBytes(free)} free. Free some space, or export fewer frames, a smaller scale or a compressed format.`, { kind: 'storage_full' })
  }
}

/** ffmpeg encodes every export; missing, it is named with the way to fix it. */
export async function checkFfmpeg(): Promise<void> {
  try {
    await ffmpegAvailable()
  } catch (error) {
    throw new ExportToolMissing(`ffmpeg is needed to export (${(error as Error).message}). Install Debian's "ffmpeg" package or set LATTICE_FFMPEG_PATH to its executable.`)
  }
}
