/**
 * The animation engine: resolves a project document at any frame. Pure TypeScript with no DOM
 * or Node dependency; matrices are column-major number arrays (three.js `Matrix4.elements`).
 */
export { EASING_FUNCTIONS, EASING_NAMES, type EasingFunction, type EasingName, ease, easingFunction } from './easing'
export {
  DEFAULT_INFLUENCE,
  type TemporalCurve,
  cubicBezierTiming,
  evaluateTimingCurve,
  solveCurveParameter,
  temporalCurve,
  temporalDistance,
} from './bezier-timing'
export { type InterpolateOptions, keyframeIndexAt, valueAt } from './interpolate'
export { formatHexColor, isHexColor, linearToSrgb, mixColors, parseHexColor, srgbToLinear } from './color'
export { type SpatialSegment, spatialSegment } from './spatial-path'
export { type TransformValues, localMatrix, rotationMatrix, transformAt, worldMatrices } from './transform'
export { cameraLocalMatrix, defaultZoom, fovToZoom, lookAtRotation, zoomToFov } from './camera-rig'
export { compositionMatrices, layerLocalMatrix, pointOfInterestAt } from './layer-matrix'
export {
  type CameraOptions,
  type CameraState,
  DEFAULT_FAR,
  DEFAULT_NEAR,
  cameraAt,
  cameraState,
  cameraTrajectory,
  isCameraActive,
  projectPoint,
} from './camera'
export { type Resolved, resolveAnimatables } from './resolve'
export {
  type CompositionState,
  type EffectState,
  type EvaluateOptions,
  type LayerState,
  type MaskState,
  type NestedCompositionState,
  evaluateComposition,
  nestedFrame,
  videoSourceFrame,
} from './evaluate'
export * as mat4 from './mat4'
export type { Mat4 } from './mat4'
