import type { ObjectInfo } from '../../comfy'
import type { ComfyPool } from './pool'
import { readinessOf } from './template-readiness'
import { resolveChoices, type TemplateRegistry } from './templates'
import type { WorkflowChanges, WorkflowUploadInput } from '../../../shared/schemas/comfy'
import { inspectWorkflow, type ObjectInfoSource, type WorkflowInspection } from './workflows'

/** The workflows a generation can run: shipped templates and the user's own uploads with their mappings. */
export class WorkflowService {
  constructor(readonly templates: TemplateRegistry, private readonly pool: ComfyPool) {}

  /**
   * `mine`: a workflow this user uploaded, which they may re-map or delete. `readiness`: whether
   * the reachable servers can run it and what they lack (absent when no server answered).
   */
  async list(ownerId: string) {
    const [templates, servers] = await Promise.all([this.templates.list(ownerId), this.reachableObjectInfo()])
    return templates.map((t) => {
      const readiness = readinessOf(t, servers)
      return {
        id: t.id, builtin: t.builtin, mine: !t.builtin, name: t.manifest.name, description: t.manifest.description, category: t.manifest.category,
        inputs: t.manifest.inputs.map((i) => ({ name: i.name, label: i.label, kind: i.kind })),
        ...(readiness ? { readiness } : {}),
      }
    })
  }

  /** The template with choices resolved from a server's object_info (the given one, or the first healthy). */
  async get(ownerId: string, id: string, serverId?: string) {
    const template = await this.templates.get(ownerId, id)
    const objectInfo = await this.objectInfoFor(serverId).catch(() => undefined)
    return { id: template.id, builtin: template.builtin, manifest: template.manifest, parameters: resolveChoices(template, objectInfo), workflow: template.workflow, choicesFromServer: objectInfo !== undefined }
  }

  /** A workflow's constant inputs and a draft mapping, typed by the first server that answers. */
  async inspect(workflow: unknown, name?: string): Promise<WorkflowInspection> {
    return inspectWorkflow(workflow, await this.objectInfoSource(), name)
  }

  /** An uploaded workflow with its mapping, and its inputs as `inspect` lists them. */
  async getUploaded(ownerId: string, id: string) {
    const template = await this.templates.uploaded(ownerId, id)
    return { id: template.id, name: template.manifest.name, manifest: template.manifest, workflow: template.workflow, inspection: await this.inspect(template.workflow, template.manifest.name) }
  }

  async upload(ownerId: string, input: WorkflowUploadInput) {
    const template = await this.templates.upload(ownerId, input)
    return { id: template.id, name: template.manifest.name }
  }

  async update(ownerId: string, id: string, input: WorkflowChanges) {
    const template = await this.templates.update(ownerId, id, input)
    return { id: template.id, name: template.manifest.name }
  }

  remove(ownerId: string, id: string): Promise<void> {
    return this.templates.remove(ownerId, id)
  }

  /** The object_info of every enabled server not known to be down (cached per connection). */
  private async reachableObjectInfo(): Promise<ObjectInfo[]> {
    await this.pool.sync().catch(() => undefined)
    const servers = this.pool.enabledServers().filter((server) => this.pool.health(server.id)?.reachable !== false)
    const infos = await Promise.all(servers.map(async (server) => (await this.pool.connection(server.id)).objectInfo.get().catch(() => undefined)))
    return infos.filter((info): info is ObjectInfo => info !== undefined)
  }

  private async objectInfoSource(): Promise<ObjectInfoSource | undefined> {
    await this.pool.sync()
    for (const server of this.pool.enabledServers()) {
      const connection = await this.pool.connection(server.id)
      const info = await connection.objectInfo.get().catch(() => undefined)
      if (info) return { name: server.name, info, refresh: () => connection.objectInfo.refresh() }
    }
    return undefined
  }

  private async objectInfoFor(serverId?: string): Promise<ObjectInfo | undefined> {
    await this.pool.sync()
    const ids = serverId ? [serverId] : this.pool.enabledServers().map((s) => s.id)
    for (const id of ids) {
      const connection = await this.pool.connection(id)
      const info = await connection.objectInfo.get().catch(() => undefined)
      if (info) return info
    }
    return undefined
  }
}
