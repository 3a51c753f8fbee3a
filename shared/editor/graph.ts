/**
 * The value graph's bezier handles for number properties, in (frame, value) space, matching the
 * engine's temporal curves (engine/bezier-timing.ts): A's out-handle leaves A at `speed` value
 * units per frame and reaches `influence` % of the segment; B's in-handle arrives at B the same way.
 */
import { DEFAULT_INFLUENCE } from '../engine/bezier-timing'
import type { BezierHandle, Keyframe } from '../project/properties'

export interface GraphPoint {
  frame: number
  value: number
}

/** Whether the segment starting at `a` is shaped by handles (not hold, linear or a preset). */
export function hasHandles(a: Pick<Keyframe<number>, 'interpolation' | 'easing'>): boolean {
  return a.interpolation === 'bezier' && !a.easing
}

/** Where A's out-handle and B's in-handle are drawn (missing handles: average speed, ⅓ influence). */
export function handlePoints(a: Keyframe<number>, b: Keyframe<number>): { out: GraphPoint; in: GraphPoint } {
  const duration = b.frame - a.frame
  const average = duration > 0 ? (b.value - a.value) / duration : 0
  const outInfluence = (a.outHandle?.influence ?? DEFAULT_INFLUENCE) / 100
  const inInfluence = (b.inHandle?.influence ?? DEFAULT_INFLUENCE) / 100
  const outSpeed = a.outHandle?.speed ?? average
  const inSpeed = b.inHandle?.speed ?? average
  return {
    out: { frame: a.frame + outInfluence * duration, value: a.value + outSpeed * outInfluence * duration },
    in: { frame: b.frame - inInfluence * duration, value: b.value - inSpeed * inInfluence * duration },
  }
}

/**
 * The handle that puts A's out-handle (`side` 'out') or B's in-handle ('in') at `point`.
 * Influence is clamped to 0.1–100 % so the speed stays finite.
 */
export function handleFromPoint(side: 'out' | 'in', a: Keyframe<number>, b: Keyframe<number>, point: GraphPoint): BezierHandle {
  const duration = b.frame - a.frame
  const reach = side === 'out' ? point.frame - a.frame : b.frame - point.frame
  const dt = Math.min(duration, Math.max(duration * 0.001, reach))
  const influence = Math.min(100, Math.max(0.1, (dt / duration) * 100))
  const speed = side === 'out' ? (point.value - a.value) / dt : (b.value - point.value) / dt
  return { speed, influence }
}

/** Frames to sample a curve at: every frame, or fewer when there are more frames than `maxSamples`. */
export function sampleFrames(frameCount: number, maxSamples = 4000): number[] {
  const last = Math.max(0, frameCount - 1)
  const step = Math.max(1, Math.ceil(frameCount / maxSamples))
  const frames: number[] = []
  for (let frame = 0; frame < last; frame += step) frames.push(frame)
  frames.push(last)
  return frames
}
