import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { InferenceSession } from 'onnxruntime-node'
import type { AiDevice, AiDeviceInfo } from '../../shared/ai/manifest'

export type PreferredDevice = 'auto' | AiDevice

/** Where onnxruntime-node's postinstall puts the CUDA execution provider (skipped by Lattice's .npmrc). */
export function cudaProviderLibrary(): string {
  const main = createRequire(import.meta.url).resolve('onnxruntime-node')
  return join(dirname(main), '..', 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_cuda.so')
}

type Create = (path: string, providers: AiDevice[]) => Promise<InferenceSession>

/**
 * Chooses the execution provider once per process. onnxruntime-node throws when the CUDA EP cannot
 * load (there is no silent fallback), so CUDA is tried on the first session and, if it throws,
 * everything runs on the CPU from then on, with the reason kept for Settings and logged once.
 */
export class DeviceSelector {
  private decided: { device: AiDevice; reason: string } | null = null

  constructor(
    private readonly preferred: PreferredDevice,
    private readonly log: (message: string) => void,
    private readonly cudaLibrary: string = cudaProviderLibrary(),
  ) {
    if (preferred === 'cpu') this.decide('cpu', 'LATTICE_AI_DEVICE is cpu.')
    else if (preferred === 'auto' && !existsSync(this.cudaLibrary)) {
      this.decide('cpu', `The CUDA provider library is not installed (${this.cudaLibrary} is missing); running on the CPU. To use an NVIDIA GPU, install CUDA 12 and cuDNN 9, then run \`npx onnxruntime-node-install\` (or \`ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node\`).`)
    }
  }

  info(): AiDeviceInfo {
    if (this.decided) return { preferred: this.preferred, ...this.decided }
    return { preferred: this.preferred, device: 'cpu', reason: 'The CUDA provider library is installed; CUDA is tried when the first model loads.' }
  }

  /** The device models load on now (for loaders that choose their own providers). */
  current(): AiDevice {
    return this.decided?.device ?? 'cpu'
  }

  /** Creates a session on the chosen device; the first call decides the device when that is still open. */
  async create(path: string, create: Create): Promise<{ session: InferenceSession; device: AiDevice }> {
    if (this.decided) return { session: await create(path, [this.decided.device]), device: this.decided.device }
    try {
      const session = await create(path, ['cuda'])
      this.decide('cuda', this.preferred === 'cuda' ? 'LATTICE_AI_DEVICE is cuda and the CUDA provider loaded.' : 'The CUDA provider loaded.')
      return { session, device: 'cuda' }
    } catch (error) {
      // Decided only once the CPU works: when both fail, the file is at fault, not CUDA.
      const session = await create(path, ['cpu'])
      const why = (error as Error).message
      this.decide('cpu', `The CUDA provider failed to load (${why}); running on the CPU. Check the NVIDIA driver, CUDA 12 and cuDNN 9 libraries, and the files onnxruntime-node-install puts beside ${this.cudaLibrary}.`)
      return { session, device: 'cpu' }
    }
  }

  private decide(device: AiDevice, reason: string): void {
    this.decided = { device, reason }
    this.log(`[ai] inference runs on ${device}: ${reason}`)
  }
}
