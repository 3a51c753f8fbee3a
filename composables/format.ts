/** Sizes as people read them: 1.4 MB, 2 GB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 || Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** "3 minutes ago" for the last week, else a short date and time. */
export function formatWhen(date: Date | string | null | undefined): string {
  if (!date) return '—'
  const at = typeof date === 'string' ? new Date(date) : date
  const seconds = Math.round((at.getTime() - Date.now()) / 1000)
  const abs = Math.abs(seconds)
  if (abs < 45) return 'just now'
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute')
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour')
  if (abs < 7 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day')
  return absolute.format(at)
}

export function formatDateTime(date: Date | string | null | undefined): string {
  if (!date) return '—'
  return absolute.format(typeof date === 'string' ? new Date(date) : date)
}

/** A frame count at a rate as seconds: "81 f · 5.06 s". */
export function formatDuration(frameCount: number, fps: number): string {
  if (!fps) return `${frameCount} f`
  const seconds = frameCount / fps
  return `${frameCount} f · ${Number.isInteger(seconds) ? seconds : seconds.toFixed(2)} s`
}

export function formatFps(fps: number): string {
  return `${Number.isInteger(fps) ? fps : fps.toFixed(3).replace(/0+$/, '')} fps`
}
