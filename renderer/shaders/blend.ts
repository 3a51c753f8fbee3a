import { BLEND_MODES, type BlendMode } from '../../shared/project'

/** Shader ids: the index in the schema's lists. */
export const blendModeId = (mode: BlendMode): number => BLEND_MODES.indexOf(mode)

const id = (mode: BlendMode) => String(blendModeId(mode))

/**
 * Composites one layer (premultiplied) over the accumulated picture (premultiplied) with a
 * blend mode, using the W3C compositing model: with straight colours Cs (layer), Cb (backdrop)
 * and alphas as, ab,
 *   co = as·(1−ab)·Cs + as·ab·B(Cb, Cs) + (1−as)·ab·Cb,   ao = as + ab·(1−as)
 * B is the mode's formula on sRGB-encoded values (After Effects' default, no linearised
 * working space; the same numbers CSS mix-blend-mode uses). Normal is plain premultiplied "over".
 */
export const blendFragment = /* glsl */ `
precision highp float;
precision highp sampler2D;
uniform sampler2D tLayer;
uniform sampler2D tBase;
uniform int uMode;
in vec2 vUv;
out vec4 fragColor;

float lum(vec3 c) { return dot(c, vec3(0.3, 0.59, 0.11)); }
vec3 clipColor(vec3 c) {
  float l = lum(c);
  float n = min(c.r, min(c.g, c.b));
  float x = max(c.r, max(c.g, c.b));
  if (n < 0.0) c = l + (c - l) * l / max(l - n, 1e-6);
  if (x > 1.0) c = l + (c - l) * (1.0 - l) / max(x - l, 1e-6);
  return c;
}
vec3 setLum(vec3 c, float l) { return clipColor(c + (l - lum(c))); }
float sat(vec3 c) { return max(c.r, max(c.g, c.b)) - min(c.r, min(c.g, c.b)); }
vec3 setSat(vec3 c, float s) {
  float mx = max(c.r, max(c.g, c.b));
  float mn = min(c.r, min(c.g, c.b));
  return mx > mn ? (c - mn) * s / (mx - mn) : vec3(0.0);
}
float softLight(float b, float s) {
  float d = b <= 0.25 ? ((16.0 * b - 12.0) * b + 4.0) * b : sqrt(b);
  return s <= 0.5 ? b - (1.0 - 2.0 * s) * b * (1.0 - b) : b + (2.0 * s - 1.0) * (d - b);
}
float colorDodge(float b, float s) { return b <= 0.0 ? 0.0 : (s >= 1.0 ? 1.0 : min(1.0, b / (1.0 - s))); }
float colorBurn(float b, float s) { return b >= 1.0 ? 1.0 : (s <= 0.0 ? 0.0 : 1.0 - min(1.0, (1.0 - b) / s)); }
float hardLight(float b, float s) { return s <= 0.5 ? 2.0 * b * s : 1.0 - 2.0 * (1.0 - b) * (1.0 - s); }
float vividLight(float b, float s) { return s <= 0.5 ? colorBurn(b, 2.0 * s) : colorDodge(b, 2.0 * s - 1.0); }
float pinLight(float b, float s) { return s <= 0.5 ? min(b, 2.0 * s) : max(b, 2.0 * s - 1.0); }

vec3 blend(vec3 b, vec3 s, int mode) {
  if (mode == ${id('normal')}) return s;
  if (mode == ${id('darken')}) return min(b, s);
  if (mode == ${id('multiply')}) return b * s;
  if (mode == ${id('colorBurn')}) return vec3(colorBurn(b.r, s.r), colorBurn(b.g, s.g), colorBurn(b.b, s.b));
  if (mode == ${id('linearBurn')}) return max(b + s - 1.0, 0.0);
  if (mode == ${id('darkerColor')}) return lum(s) < lum(b) ? s : b;
  if (mode == ${id('add')}) return min(b + s, 1.0);
  if (mode == ${id('lighten')}) return max(b, s);
  if (mode == ${id('screen')}) return b + s - b * s;
  if (mode == ${id('colorDodge')}) return vec3(colorDodge(b.r, s.r), colorDodge(b.g, s.g), colorDodge(b.b, s.b));
  if (mode == ${id('lighterColor')}) return lum(s) > lum(b) ? s : b;
  if (mode == ${id('overlay')}) return vec3(hardLight(s.r, b.r), hardLight(s.g, b.g), hardLight(s.b, b.b));
  if (mode == ${id('softLight')}) return vec3(softLight(b.r, s.r), softLight(b.g, s.g), softLight(b.b, s.b));
  if (mode == ${id('hardLight')}) return vec3(hardLight(b.r, s.r), hardLight(b.g, s.g), hardLight(b.b, s.b));
  if (mode == ${id('linearLight')}) return clamp(b + 2.0 * s - 1.0, 0.0, 1.0);
  if (mode == ${id('vividLight')}) return vec3(vividLight(b.r, s.r), vividLight(b.g, s.g), vividLight(b.b, s.b));
  if (mode == ${id('pinLight')}) return vec3(pinLight(b.r, s.r), pinLight(b.g, s.g), pinLight(b.b, s.b));
  if (mode == ${id('hardMix')}) return step(1.0, b + s);
  if (mode == ${id('difference')}) return abs(b - s);
  if (mode == ${id('exclusion')}) return b + s - 2.0 * b * s;
  if (mode == ${id('subtract')}) return max(b - s, 0.0);
  if (mode == ${id('divide')}) return vec3(s.r > 0.0 ? min(1.0, b.r / s.r) : 1.0, s.g > 0.0 ? min(1.0, b.g / s.g) : 1.0, s.b > 0.0 ? min(1.0, b.b / s.b) : 1.0);
  if (mode == ${id('hue')}) return setLum(setSat(s, sat(b)), lum(b));
  if (mode == ${id('saturation')}) return setLum(setSat(b, sat(s)), lum(b));
  if (mode == ${id('color')}) return setLum(s, lum(b));
  if (mode == ${id('luminosity')}) return setLum(b, lum(s));
  return s;
}

void main() {
  vec4 src = texture(tLayer, vUv);
  vec4 dst = texture(tBase, vUv);
  if (uMode == ${id('normal')}) { fragColor = src + dst * (1.0 - src.a); return; }
  vec3 cs = src.a > 0.0 ? clamp(src.rgb / src.a, 0.0, 1.0) : vec3(0.0);
  vec3 cb = dst.a > 0.0 ? clamp(dst.rgb / dst.a, 0.0, 1.0) : vec3(0.0);
  vec3 co = src.rgb * (1.0 - dst.a) + dst.rgb * (1.0 - src.a) + src.a * dst.a * blend(cb, cs, uMode);
  fragColor = vec4(co, src.a + dst.a * (1.0 - src.a));
}
`
