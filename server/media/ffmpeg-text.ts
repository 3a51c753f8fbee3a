/** Pure helpers that turn ffmpeg/ffprobe output into typed values and user-facing reasons. */

/**
 * ffmpeg's error lines, minus the "[mov @ 0x..]" prefixes and the server's file path (users must
 * not see where the data folder is), deduplicated and kept short enough for a toast.
 */
export function shortReason(output: string, ...filePaths: string[]): string {
  const lines = output
    .split(/\r?\n/)
    .map((l) => filePaths.reduce((line, path) => (path ? line.split(path).join('the file') : line), l))
    .map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').replace(/^(ffmpeg|ffprobe) (exited with code \d+|was killed with signal \w+):?\s*/, ''))
    .map((l) => l.replace(/^the file:\s*/, '').trim())
    .filter((l) => l.length > 0)
  const unique = [...new Set(lines)]
  const reason = unique.slice(-3).join('; ') || 'unknown error'
  return reason.length > 200 ? `${reason.slice(0, 197)}...` : reason
}

/** fluent-ffmpeg turns digit-only values into numbers ("25"), so rates may arrive as either. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined
}

export function num(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN
  return Number.isFinite(n) ? n : undefined
}

/** ffprobe prints "N/A" or 0 for unknown values; both mean "not known" here. */
export function positive(value: unknown): number | undefined {
  const n = num(value)
  return n !== undefined && n > 0 ? n : undefined
}
