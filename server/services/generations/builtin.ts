import t2iManifest from '../../../workflows/text-to-image/manifest.json'
import t2iWorkflow from '../../../workflows/text-to-image/workflow.json'
import i2iManifest from '../../../workflows/image-to-image/manifest.json'
import i2iWorkflow from '../../../workflows/image-to-image/workflow.json'
import wanManifest from '../../../workflows/image-to-video-wan/manifest.json'
import wanWorkflow from '../../../workflows/image-to-video-wan/workflow.json'
import depthManifest from '../../../workflows/depth-controlnet/manifest.json'
import depthWorkflow from '../../../workflows/depth-controlnet/workflow.json'
import funControlManifest from '../../../workflows/wan-fun-control/manifest.json'
import funControlWorkflow from '../../../workflows/wan-fun-control/workflow.json'

/**
 * The templates shipped in `workflows/`: API-format workflows as ComfyUI's "Export (API)" writes
 * them, each with its manifest. Imported, so they are part of the server build.
 */
export const BUILTIN_TEMPLATE_SOURCES: Array<{ id: string; manifest: unknown; workflow: unknown }> = [
  { id: 'text-to-image', manifest: t2iManifest, workflow: t2iWorkflow },
  { id: 'image-to-image', manifest: i2iManifest, workflow: i2iWorkflow },
  { id: 'image-to-video-wan', manifest: wanManifest, workflow: wanWorkflow },
  { id: 'depth-controlnet', manifest: depthManifest, workflow: depthWorkflow },
  { id: 'wan-fun-control', manifest: funControlManifest, workflow: funControlWorkflow },
]
