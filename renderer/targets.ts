import { FloatType, HalfFloatType, LinearFilter, RGBAFormat, type TextureDataType, UnsignedByteType, WebGLRenderTarget } from 'three'

export type TargetPrecision = 'color' | 'float' | 'byte'

/**
 * Reuses render targets by size and precision: a frame acquires what it needs and releases it,
 * so a steady stream of frames allocates nothing. Contents are undefined on acquire: callers clear.
 */
export class TargetPool {
  private free = new Map<string, WebGLRenderTarget[]>()
  private all = new Set<WebGLRenderTarget>()

  constructor(private readonly types: Record<TargetPrecision, TextureDataType>) {}

  acquire(width: number, height: number, precision: TargetPrecision = 'color', depthBuffer = false): WebGLRenderTarget {
    const w = Math.max(1, Math.round(width))
    const h = Math.max(1, Math.round(height))
    const key = `${w}x${h}:${precision}:${depthBuffer}`
    const reused = this.free.get(key)?.pop()
    if (reused) return reused
    const target = new WebGLRenderTarget(w, h, {
      type: this.types[precision],
      format: RGBAFormat,
      minFilter: LinearFilter,
      magFilter: LinearFilter,
      generateMipmaps: false,
      depthBuffer,
      stencilBuffer: false,
    })
    target.texture.name = key
    this.all.add(target)
    return target
  }

  release(target: WebGLRenderTarget | null | undefined): void {
    if (!target) return
    const key = target.texture.name
    const list = this.free.get(key) ?? []
    if (!list.includes(target)) list.push(target)
    this.free.set(key, list)
  }

  dispose(): void {
    for (const target of this.all) target.dispose()
    this.all.clear()
    this.free.clear()
  }
}

/** Colour targets in half floats (when the GPU can render to them) or 8 bits per channel. */
export function targetTypes(canRenderFloat: boolean, halfFloatColor: boolean): Record<TargetPrecision, TextureDataType> {
  return {
    color: canRenderFloat && halfFloatColor ? HalfFloatType : UnsignedByteType,
    float: canRenderFloat ? FloatType : UnsignedByteType,
    byte: UnsignedByteType,
  }
}
