import { Matrix4, type RawShaderMaterial, type Texture } from 'three'
import { passMaterial, shaderMaterial } from './gpu'
import { blendFragment } from './shaders/blend'
import { fillFragment, outputFragment } from './shaders/fullscreen'
import { layerFragment, layerVertex } from './shaders/layer'
import { blurFragment, combineFragment } from './shaders/mask'
import { matteFragment } from './shaders/matte'

const tex = (): { value: Texture | null } => ({ value: null })

/** Every shader of the renderer, compiled once per context; uniforms are set per draw. */
export function createMaterials() {
  const layer = shaderMaterial(layerVertex, layerFragment, {
    uMvp: { value: new Matrix4() },
    uModelView: { value: new Matrix4() },
    uDisplaced: { value: false },
    tDepthMap: tex(),
    uDisplacement: { value: 0 },
    uInvertDepth: { value: false },
    uHasMap: { value: false },
    tMap: tex(),
    uMapPremultiplied: { value: false },
    uColor: { value: [0, 0, 0, 0] },
    uHasMask: { value: false },
    tMask: tex(),
    uOpacity: { value: 1 },
    uOutput: { value: 0 },
  })
  return {
    layer,
    blend: passMaterial(blendFragment, { tLayer: tex(), tBase: tex(), uMode: { value: 0 } }),
    matte: passMaterial(matteFragment, { tLayer: tex(), tMatte: tex(), uMatteMode: { value: 0 } }),
    fill: passMaterial(fillFragment, { uColor: { value: [0, 0, 0, 0] } }),
    output: passMaterial(outputFragment, { tSource: tex(), uMode: { value: 0 }, uFlipY: { value: false } }),
    blur: passMaterial(blurFragment, { tSource: tex(), uTexel: { value: [0, 0] }, uDirection: { value: [1, 0] }, uSigma: { value: 0 } }),
    combine: passMaterial(combineFragment, {
      tAccumulated: tex(),
      tMask: tex(),
      uMode: { value: 0 },
      uInverted: { value: false },
      uOpacity: { value: 1 },
    }),
  }
}

export type Materials = ReturnType<typeof createMaterials>

export function disposeMaterials(materials: Materials): void {
  for (const material of Object.values(materials) as RawShaderMaterial[]) material.dispose()
}

/** Sets uniforms by name (they exist: the materials above declare them). */
export function setUniforms(material: RawShaderMaterial, values: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(values)) {
    const uniform = material.uniforms[name]
    if (!uniform) throw new Error(`no uniform ${name}`)
    if (uniform.value instanceof Matrix4 && Array.isArray(value)) uniform.value.fromArray(value)
    else uniform.value = value
  }
}
