import { isComfyError } from './errors'
import type { ComfyHttp } from './http'

export interface ComfyGpu {
  name: string
  vramTotal: number
  vramUsed: number
}

export type ComfyHealth =
  | { reachable: true; version?: string; gpu?: ComfyGpu; queueDepth: number }
  | { reachable: false; error: string }

/** `/system_stats` and the queue length, for a settings page or a scheduler choosing a server. */
export async function getHealth(http: ComfyHttp, signal?: AbortSignal): Promise<ComfyHealth> {
  try {
    const [stats, queueDepth] = await Promise.all([http.getSystemStats(signal), http.getQueueRemaining(signal)])
    const device = stats.devices.find((d) => d.type !== 'cpu') ?? stats.devices[0]
    return {
      reachable: true,
      version: stats.system.comfyui_version,
      gpu: device ? { name: gpuName(device.name), vramTotal: device.vram_total, vramUsed: Math.max(0, device.vram_total - device.vram_free) } : undefined,
      queueDepth,
    }
  } catch (error) {
    if (signal?.aborted || !isComfyError(error)) throw error
    return { reachable: false, error: error.message }
  }
}

/** `"cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync"` → `"NVIDIA GeForce RTX 4090"`. */
export function gpuName(deviceName: string): string {
  return deviceName.replace(/^[a-z]+:\d+\s+/i, '').replace(/\s+:\s+\S+$/, '').trim() || deviceName
}
