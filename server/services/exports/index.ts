import type { Database } from '../../db/connect'
import { ExportBrowser } from '../../export/browser'
import { FrameBridge } from '../../export/bridge'
import type { JobQueue } from '../../jobs/queue'
import type { DataLayout } from '../../storage/paths'
import type { AssetService } from '../assets/assets.service'
import type { ProjectService } from '../projects/projects.service'
import { ExportService } from './exports.service'
import { exportRenderJob } from './render.job'
import type { TemplateSource } from './bundle'
import type { GenerationStarter } from './generate-after'

export interface ExportServicesOptions {
  db: Database
  queue: JobQueue
  assets: AssetService
  projects: ProjectService
  layout: DataLayout
  concurrency: number
  internalUrl: string
  templates?: TemplateSource
  generate?: GenerationStarter
}

/** The export service, its job registered on the queue, and the browser and bridge it renders with. */
export function createExportServices(options: ExportServicesOptions) {
  const browser = new ExportBrowser()
  const bridge = new FrameBridge()
  options.queue.register([exportRenderJob({
    db: options.db, assets: options.assets, layout: options.layout, browser, bridge, templates: options.templates, generate: options.generate,
    appUrl: () => options.internalUrl, concurrency: options.concurrency,
  })])
  return {
    exports: new ExportService(options.db, options.queue, options.projects, options.layout, options.templates),
    /** After the queue stopped: no render needs them any more. */
    close: async () => {
      await browser.close()
      await bridge.stop()
    },
  }
}
