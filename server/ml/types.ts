import type { InferenceSession } from 'onnxruntime-node'
import type { AiDevice, ModelManifest } from '../../shared/ai/manifest'

/**
 * A model in memory, handed to a task for the length of one request. The manager runs one request
 * per model at a time, so a task may use the sessions freely while it holds the model.
 */
export interface LoadedModel {
  manifest: ModelManifest
  /** `<LATTICE_MODELS_DIR>/<id>`. */
  dir: string
  device: AiDevice
  /** onnx runtime: the sessions by the manifest's roles (`model`, or `encoder` and `decoder`). */
  sessions: Record<string, InferenceSession>
  /** transformers runtime: what its loader made (model, processor, tokenizer). */
  native?: unknown
}

/** Loads a `transformers`-runtime model; the manager owns its lifetime (idle unload, budget, close). */
export interface NativeLoader {
  load(manifest: ModelManifest, dir: string, device: AiDevice): Promise<{ native: unknown; dispose(): Promise<void> }>
}

/** What tasks need from the manager: a model held for the length of `work`. */
export interface ModelRunner {
  use<T>(modelId: string, work: (model: LoadedModel) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>
}
