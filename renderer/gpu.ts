import {
  BufferAttribute,
  BufferGeometry,
  Camera,
  DoubleSide,
  GLSL3,
  LinearFilter,
  Mesh,
  NoBlending,
  NoColorSpace,
  RawShaderMaterial,
  Scene,
  type Texture,
  type WebGLRenderTarget,
  WebGLRenderer,
} from 'three'
import { fullscreenVertex } from './shaders/fullscreen'
import { TargetPool, targetTypes } from './targets'

export type Uniforms = Record<string, { value: unknown }>

/**
 * Precision of the colour targets: `half` floats keep many translucent layers free of 8-bit
 * rounding; `byte` is 3–4× faster on software rendering (SwiftShader), with at most about one
 * level of rounding per translucent layer; `auto` picks `byte` on software renderers, else `half`.
 */
export type ColorPrecision = 'auto' | 'half' | 'byte'

/** SwiftShader, llvmpipe and other CPU rasterisers. */
function isSoftwareRenderer(renderer: WebGLRenderer): boolean {
  const gl = renderer.getContext()
  const info = gl.getExtension('WEBGL_debug_renderer_info')
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '')
  return /swiftshader|llvmpipe|softpipe|software/i.test(name)
}

/** A pixel rectangle of a target (x, y from row 0, the top of the picture). */
export interface PixelRect {
  x: number
  y: number
  width: number
  height: number
}

/** A shader pass over a whole target. */
export function passMaterial(fragmentShader: string, uniforms: Uniforms): RawShaderMaterial {
  return shaderMaterial(fullscreenVertex, fragmentShader, uniforms)
}

export function shaderMaterial(vertexShader: string, fragmentShader: string, uniforms: Uniforms): RawShaderMaterial {
  return new RawShaderMaterial({
    glslVersion: GLSL3,
    vertexShader,
    fragmentShader,
    uniforms,
    blending: NoBlending,
    depthTest: false,
    depthWrite: false,
    side: DoubleSide,
    transparent: false,
  })
}

/** A grid over the unit square (x, y in 0..1), `segments` cells per side; 1 = a single quad. */
export function gridGeometry(segments: number): BufferGeometry {
  const n = Math.max(1, Math.floor(segments))
  const positions = new Float32Array((n + 1) * (n + 1) * 3)
  for (let j = 0; j <= n; j++) {
    for (let i = 0; i <= n; i++) positions.set([i / n, j / n, 0], (j * (n + 1) + i) * 3)
  }
  const indices = new Uint32Array(n * n * 6)
  let k = 0
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const a = j * (n + 1) + i
      indices.set([a, a + 1, a + n + 1, a + 1, a + n + 2, a + n + 1], k)
      k += 6
    }
  }
  const geometry = new BufferGeometry()
  geometry.setAttribute('position', new BufferAttribute(positions, 3))
  geometry.setIndex(new BufferAttribute(indices, 1))
  return geometry
}

/** Texture settings shared by every uploaded picture: rows from the top, no colour conversion. */
export function configureTexture(texture: Texture): Texture {
  texture.flipY = false
  texture.premultiplyAlpha = false
  texture.generateMipmaps = false
  texture.minFilter = LinearFilter
  texture.magFilter = LinearFilter
  texture.colorSpace = NoColorSpace
  texture.needsUpdate = true
  return texture
}

/**
 * The WebGL2 context and its reusable pieces: one scene holding one mesh at a time, the
 * full-target quad, grid geometries and the render-target pool. No three.js colour management
 * is involved: every shader is raw and every texture is NoColorSpace, so values pass unchanged.
 */
export class Gpu {
  readonly renderer: WebGLRenderer
  readonly pool: TargetPool
  readonly canRenderFloat: boolean
  private readonly scene = new Scene()
  private readonly camera = new Camera()
  private readonly mesh: Mesh
  private readonly quad: BufferGeometry
  private readonly grids = new Map<number, BufferGeometry>()

  /** Whether colour targets are half floats (else 8 bits per channel). */
  readonly halfFloatColor: boolean

  constructor(canvas: HTMLCanvasElement | OffscreenCanvas | undefined, precision: ColorPrecision = 'auto') {
    this.renderer = new WebGLRenderer({
      canvas: canvas ?? (typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : undefined),
      antialias: false,
      alpha: true,
      premultipliedAlpha: true,
      preserveDrawingBuffer: true,
      powerPreference: 'high-performance',
    })
    this.renderer.autoClear = false
    this.renderer.sortObjects = false
    this.canRenderFloat = this.renderer.extensions.has('EXT_color_buffer_float')
    this.halfFloatColor = this.canRenderFloat && (precision === 'half' || (precision === 'auto' && !isSoftwareRenderer(this.renderer)))
    this.pool = new TargetPool(targetTypes(this.canRenderFloat, this.halfFloatColor))
    this.quad = new BufferGeometry()
    this.quad.setAttribute('position', new BufferAttribute(new Float32Array([-1, -1, 0, 1, -1, 0, -1, 1, 0, 1, 1, 0]), 3))
    this.quad.setIndex([0, 1, 2, 1, 3, 2])
    this.mesh = new Mesh(this.quad)
    this.mesh.frustumCulled = false
    this.mesh.matrixAutoUpdate = false
    this.scene.add(this.mesh)
  }

  /** The unit square subdivided `segments` times (cached). */
  grid(segments: number): BufferGeometry {
    let geometry = this.grids.get(segments)
    if (!geometry) {
      geometry = gridGeometry(segments)
      this.grids.set(segments, geometry)
    }
    return geometry
  }

  /** Clears `target` (null = the canvas) to transparent black, or to 1 everywhere; only `rect` when given. */
  clear(target: WebGLRenderTarget | null, value: 0 | 1 = 0, rect?: PixelRect): void {
    this.scissored(target, rect, () => {
      this.renderer.setClearColor(value === 1 ? 0xffffff : 0x000000, value)
      this.renderer.clear(true, true, false)
    })
  }

  /** Runs a pass over the whole target, or only over `rect`. */
  pass(material: RawShaderMaterial, target: WebGLRenderTarget | null, rect?: PixelRect): void {
    this.draw(this.quad, material, target, rect)
  }

  /** Draws `geometry` with `material` into `target` (no clearing), limited to `rect` when given. */
  draw(geometry: BufferGeometry, material: RawShaderMaterial, target: WebGLRenderTarget | null, rect?: PixelRect): void {
    this.mesh.geometry = geometry
    this.mesh.material = material
    this.scissored(target, rect, () => this.renderer.render(this.scene, this.camera))
  }

  /** three.js takes the scissor of a render target from the target itself. */
  private scissored(target: WebGLRenderTarget | null, rect: PixelRect | undefined, work: () => void): void {
    if (target && rect) {
      target.scissor.set(rect.x, rect.y, rect.width, rect.height)
      target.scissorTest = true
    }
    this.renderer.setRenderTarget(target)
    try {
      work()
    } finally {
      if (target && rect) {
        target.scissorTest = false
        this.renderer.setRenderTarget(target)
      }
    }
  }

  dispose(): void {
    this.pool.dispose()
    this.quad.dispose()
    for (const geometry of this.grids.values()) geometry.dispose()
    this.renderer.dispose()
  }
}
