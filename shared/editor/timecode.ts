/** `HH:MM:SS:FF` for a frame at a rate (non-drop; fractional rates count whole frames per second). */
export function formatTimecode(frame: number, fps: number): string {
  const perSecond = Math.max(1, Math.round(fps))
  const whole = Math.max(0, Math.floor(frame))
  const ff = whole % perSecond
  const totalSeconds = Math.floor(whole / perSecond)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(Math.floor(totalSeconds / 3600))}:${pad(Math.floor(totalSeconds / 60) % 60)}:${pad(totalSeconds % 60)}:${pad(ff)}`
}
