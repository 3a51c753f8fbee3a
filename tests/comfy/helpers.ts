import { openComfyConnection, type ComfyConnection } from '../../server/comfy'
import type { Workflow } from '../../server/comfy/protocol'
import { ComfyStandIn, type StandInOptions } from './stand-in/server'

/** 1: EmptyImage → 2: SaveImage. */
export function simpleWorkflow(prefix = 'lattice/simple'): Workflow {
  return {
    1: { class_type: 'EmptyImage', inputs: { width: 32, height: 24, batch_size: 1, color: 0xff8000 } },
    2: { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: prefix } },
  }
}

/** Checkpoint → two prompts + latent → KSampler (steps) → VAEDecode → SaveImage: seven nodes, one with steps. */
export function samplerWorkflow(options: { steps?: number; seed?: number; ckpt?: string; prefix?: string } = {}): Workflow {
  return {
    4: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: options.ckpt ?? 'sd15.safetensors' } },
    5: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 48, batch_size: 1 } },
    6: { class_type: 'CLIPTextEncode', inputs: { text: 'a test pattern', clip: ['4', 1] } },
    7: { class_type: 'CLIPTextEncode', inputs: { text: '', clip: ['4', 1] } },
    3: { class_type: 'KSampler', inputs: { model: ['4', 0], seed: options.seed ?? 7, steps: options.steps ?? 4, cfg: 7.5, sampler_name: 'euler', scheduler: 'normal', positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0], denoise: 1 } },
    8: { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    9: { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: options.prefix ?? 'lattice/sampled' } },
  }
}

export async function startStandIn(options?: StandInOptions): Promise<ComfyStandIn> {
  return ComfyStandIn.start(options)
}

/** A connection with a quick reconnect, so tests that cut the socket do not wait long. */
export function connect(standIn: ComfyStandIn, clientId?: string): ComfyConnection {
  return openComfyConnection({ baseUrl: standIn.url, clientId, httpTimeoutMs: 5000, socketBackoff: { initialMs: 20, maxMs: 200, factor: 2 } })
}

export const FAST = { pollIntervalMs: 100, socketReadyTimeoutMs: 3000 }
