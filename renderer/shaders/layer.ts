/**
 * Draws one layer into its own premultiplied target: the content (texture or flat colour) on
 * the unit square mapped onto the layer's bounds, times its mask and opacity. Depth layers use
 * a subdivided grid whose vertices move along the layer's −z (towards the viewer) by the depth
 * map × displacement. `uOutput` 1 writes eye depth instead of colour (the depth pass).
 */
export const layerVertex = /* glsl */ `
precision highp float;
precision highp sampler2D;
in vec3 position;
uniform mat4 uMvp;
uniform mat4 uModelView;
uniform bool uDisplaced;
uniform sampler2D tDepthMap;
uniform float uDisplacement;
uniform bool uInvertDepth;
out vec2 vUv;
out float vEyeDepth;
void main() {
  vUv = position.xy;
  vec4 local = vec4(position.xy, 0.0, 1.0);
  if (uDisplaced) {
    float d = textureLod(tDepthMap, vUv, 0.0).r;
    if (uInvertDepth) d = 1.0 - d;
    local.z = -d * uDisplacement;
  }
  gl_Position = uMvp * local;
  vEyeDepth = -(uModelView * local).z;
}
`

export const layerFragment = /* glsl */ `
precision highp float;
precision highp sampler2D;
uniform bool uHasMap;
uniform sampler2D tMap;
uniform bool uMapPremultiplied;
uniform vec4 uColor;
uniform bool uHasMask;
uniform sampler2D tMask;
uniform float uOpacity;
uniform int uOutput;
in vec2 vUv;
in float vEyeDepth;
out vec4 fragColor;
void main() {
  vec4 c = uColor;
  if (uHasMap) {
    c = texture(tMap, vUv);
    if (!uMapPremultiplied) c.rgb *= c.a;
  }
  if (uHasMask) c *= texture(tMask, vUv).r;
  if (uOutput == 1) {
    if (c.a < 0.5) discard;
    fragColor = vec4(vEyeDepth, 1.0, 0.0, 1.0);
    return;
  }
  fragColor = c * uOpacity;
}
`
