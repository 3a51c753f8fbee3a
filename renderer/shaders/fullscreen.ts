/** Vertex shader of every full-target pass: a quad over clip space, vUv = 0 at row 0. */
export const fullscreenVertex = /* glsl */ `
precision highp float;
in vec3 position;
out vec2 vUv;
void main() {
  vUv = position.xy * 0.5 + 0.5;
  gl_Position = vec4(position.xy, 0.0, 1.0);
}
`

/** Fills the target with one premultiplied colour (backgrounds: no colour management involved). */
export const fillFragment = /* glsl */ `
precision highp float;
uniform vec4 uColor;
out vec4 fragColor;
void main() { fragColor = uColor; }
`

/** `uMode` values of the output shader. */
export const OUTPUT_MODE = { straight: 0, alphaAsGrey: 1, opaque: 2, copy: 3 } as const

/**
 * Final conversion of a premultiplied target: `uMode` 0 = straight RGBA (colour pass),
 * 1 = alpha as opaque grey (matte pass), 2 = colour made opaque, 3 = plain copy. `uFlipY` for
 * presenting to a canvas (row 0 = bottom).
 */
export const outputFragment = /* glsl */ `
precision highp float;
precision highp sampler2D;
uniform sampler2D tSource;
uniform int uMode;
uniform bool uFlipY;
in vec2 vUv;
out vec4 fragColor;
void main() {
  vec2 uv = uFlipY ? vec2(vUv.x, 1.0 - vUv.y) : vUv;
  vec4 c = texture(tSource, uv);
  if (uMode == 1) { fragColor = vec4(vec3(clamp(c.a, 0.0, 1.0)), 1.0); return; }
  if (uMode == 2) { fragColor = vec4(c.rgb, 1.0); return; }
  if (uMode == 3) { fragColor = c; return; }
  vec3 straight = c.a > 0.0 ? c.rgb / c.a : vec3(0.0);
  fragColor = clamp(vec4(straight, c.a), 0.0, 1.0);
}
`
