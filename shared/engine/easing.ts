import { EASINGS, type Easing } from '../project/properties'
import { cubicBezierTiming } from './bezier-timing'

/** A timing function from segment progress (0..1) to value progress; may overshoot between the ends. */
export type EasingFunction = (t: number) => number
/** The preset names a keyframe may carry, plus `linear`. */
export type EasingName = Easing | 'linear'

const c1 = 1.70158
const c2 = c1 * 1.525
const c3 = c1 + 1
const c4 = (2 * Math.PI) / 3
const c5 = (2 * Math.PI) / 4.5

function bounceOut(t: number): number {
  const n1 = 7.5625
  const d1 = 2.75
  if (t < 1 / d1) return n1 * t * t
  if (t < 2 / d1) return n1 * (t - 1.5 / d1) ** 2 + 0.75
  if (t < 2.5 / d1) return n1 * (t - 2.25 / d1) ** 2 + 0.9375
  return n1 * (t - 2.625 / d1) ** 2 + 0.984375
}

/**
 * The usual formulas (Robert Penner's, as on easings.net). `easeIn`/`easeOut`/`easeInOut` are
 * the CSS curves cubic-bezier(.42,0,1,1), (0,0,.58,1) and (.42,0,.58,1).
 */
const RAW: Record<EasingName, EasingFunction> = {
  linear: (t) => t,
  easeIn: cubicBezierTiming(0.42, 0, 1, 1),
  easeOut: cubicBezierTiming(0, 0, 0.58, 1),
  easeInOut: cubicBezierTiming(0.42, 0, 0.58, 1),
  sineIn: (t) => 1 - Math.cos((t * Math.PI) / 2),
  sineOut: (t) => Math.sin((t * Math.PI) / 2),
  sineInOut: (t) => -(Math.cos(Math.PI * t) - 1) / 2,
  quadIn: (t) => t * t,
  quadOut: (t) => 1 - (1 - t) ** 2,
  quadInOut: (t) => (t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2),
  cubicIn: (t) => t ** 3,
  cubicOut: (t) => 1 - (1 - t) ** 3,
  cubicInOut: (t) => (t < 0.5 ? 4 * t ** 3 : 1 - (-2 * t + 2) ** 3 / 2),
  expoIn: (t) => 2 ** (10 * t - 10),
  expoOut: (t) => 1 - 2 ** (-10 * t),
  expoInOut: (t) => (t < 0.5 ? 2 ** (20 * t - 10) / 2 : (2 - 2 ** (-20 * t + 10)) / 2),
  backIn: (t) => c3 * t ** 3 - c1 * t * t,
  backOut: (t) => 1 + c3 * (t - 1) ** 3 + c1 * (t - 1) ** 2,
  backInOut: (t) =>
    t < 0.5 ? ((2 * t) ** 2 * ((c2 + 1) * 2 * t - c2)) / 2 : ((2 * t - 2) ** 2 * ((c2 + 1) * (t * 2 - 2) + c2) + 2) / 2,
  elasticIn: (t) => -(2 ** (10 * t - 10)) * Math.sin((t * 10 - 10.75) * c4),
  elasticOut: (t) => 2 ** (-10 * t) * Math.sin((t * 10 - 0.75) * c4) + 1,
  elasticInOut: (t) =>
    t < 0.5
      ? -(2 ** (20 * t - 10) * Math.sin((20 * t - 11.125) * c5)) / 2
      : (2 ** (-20 * t + 10) * Math.sin((20 * t - 11.125) * c5)) / 2 + 1,
  bounceIn: (t) => 1 - bounceOut(1 - t),
  bounceOut,
  bounceInOut: (t) => (t < 0.5 ? (1 - bounceOut(1 - 2 * t)) / 2 : (1 + bounceOut(2 * t - 1)) / 2),
}

/**
 * Rescales `raw` so it is exactly 0 at 0 and exactly 1 at 1, and clamps t to [0, 1]. The
 * expo and elastic formulas are 2^-10 off at their ends; plain guards (`t === 0 ? 0 : …`) would
 * leave a small jump there, the rescale keeps the curve continuous instead.
 */
function normalized(raw: EasingFunction): EasingFunction {
  const start = raw(0)
  const span = raw(1) - start
  return (t) => {
    if (!(t > 0)) return 0
    if (t >= 1) return 1
    return (raw(t) - start) / span
  }
}

export const EASING_FUNCTIONS: Readonly<Record<EasingName, EasingFunction>> = Object.fromEntries(
  Object.entries(RAW).map(([name, fn]) => [name, normalized(fn)]),
) as Record<EasingName, EasingFunction>

export const EASING_NAMES: readonly EasingName[] = ['linear', ...EASINGS]

/** The easing function for `name`; f(0) = 0 and f(1) = 1 exactly. */
export function easingFunction(name: EasingName): EasingFunction {
  return EASING_FUNCTIONS[name]
}

/** Applies the named easing to t in [0, 1]. */
export function ease(name: EasingName, t: number): number {
  return EASING_FUNCTIONS[name](t)
}
