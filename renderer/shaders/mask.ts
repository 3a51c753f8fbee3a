/**
 * Mask shaders. A mask's outline is rasterised by Canvas2D (alpha = coverage), feathered by a
 * separable Gaussian blur (σ = feather / 4 per axis, so ~95 % of the ramp lies within ±feather/2
 * of the outline, as After Effects spreads feather half inside, half outside), then combined
 * with the masks above it in document order.
 */
export const blurFragment = /* glsl */ `
precision highp float;
precision highp sampler2D;
uniform sampler2D tSource;
uniform vec2 uTexel;
uniform vec2 uDirection;
uniform float uSigma;
in vec2 vUv;
out vec4 fragColor;
void main() {
  if (uSigma <= 0.0) { fragColor = vec4(texture(tSource, vUv).a); return; }
  int radius = int(ceil(3.0 * uSigma));
  float sum = 0.0;
  float weights = 0.0;
  for (int i = -radius; i <= radius; i++) {
    float w = exp(-0.5 * float(i * i) / (uSigma * uSigma));
    sum += w * texture(tSource, vUv + uDirection * uTexel * float(i)).a;
    weights += w;
  }
  fragColor = vec4(sum / weights);
}
`

/** Mode ids of MaskMode, in the order of the schema's MASK_MODES. */
export const combineFragment = /* glsl */ `
precision highp float;
precision highp sampler2D;
uniform sampler2D tAccumulated;
uniform sampler2D tMask;
uniform int uMode;
uniform bool uInverted;
uniform float uOpacity;
in vec2 vUv;
out vec4 fragColor;
void main() {
  float r = texture(tAccumulated, vUv).r;
  float a = texture(tMask, vUv).a;
  if (uInverted) a = 1.0 - a;
  a *= uOpacity;
  float o;
  if (uMode == 0) o = r + a * (1.0 - r);        // add (union)
  else if (uMode == 1) o = r * (1.0 - a);       // subtract
  else if (uMode == 2) o = r * a;               // intersect
  else if (uMode == 3) o = max(r, a);           // lighten
  else if (uMode == 4) o = min(r, a);           // darken
  else o = abs(r - a);                          // difference
  fragColor = vec4(o);
}
`
