import { TRACK_MATTE_MODES, type TrackMatteMode } from '../../shared/project'

export const matteModeId = (mode: TrackMatteMode): number => TRACK_MATTE_MODES.indexOf(mode)
const id = (mode: TrackMatteMode) => String(matteModeId(mode))

/**
 * Multiplies a layer (premultiplied) by its track matte: alpha = the matte's alpha; luma = the
 * Rec. 709 luma of the matte over black (its premultiplied colour); inverted = 1 − that. Both
 * are in the same composition space, so they are sampled at the same point.
 */
export const matteFragment = /* glsl */ `
precision highp float;
precision highp sampler2D;
uniform sampler2D tLayer;
uniform sampler2D tMatte;
uniform int uMatteMode;
in vec2 vUv;
out vec4 fragColor;
void main() {
  vec4 m = texture(tMatte, vUv);
  bool luma = uMatteMode == ${id('luma')} || uMatteMode == ${id('lumaInverted')};
  float v = luma ? dot(clamp(m.rgb, 0.0, 1.0), vec3(0.2126, 0.7152, 0.0722)) : clamp(m.a, 0.0, 1.0);
  bool inverted = uMatteMode == ${id('alphaInverted')} || uMatteMode == ${id('lumaInverted')};
  fragColor = texture(tLayer, vUv) * (inverted ? 1.0 - v : v);
}
`
