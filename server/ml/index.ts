import { ModelManager, type ModelManagerOptions } from './manager'

export type { ModelManagerOptions } from './manager'
export type { FreeSpaceReader } from './download.job'
export type { PreferredDevice } from './device'
export type { LoadedModel, ModelRunner, NativeLoader } from './types'
export { ModelManager }

/**
 * The AI model manager of this server process (one per process). Registers the
 * `ai.model.download` job on `options.queue` at once, so create it before the queue starts;
 * then `await manager.start()` (reads the manifests, checks files) and `close()` on shutdown.
 */
export function createModelManager(options: ModelManagerOptions): ModelManager {
  return new ModelManager(options)
}
