import type { ParameterType } from '~~/shared/comfy/draft-manifest'
import { LIMITS } from '~~/shared/limits'
import { manifestFromMapping, mappingFor, type Mapping, type ParameterRow } from '~~/shared/comfy/mapping'
import { parseWorkflow, type Workflow } from '~~/shared/comfy/workflow'
import type { WorkflowInspection } from '~/composables/api'

const MAX_WORKFLOW_BYTES = LIMITS.maxWorkflowBytes

/**
 * The workflow upload dialog's state: the chosen file (or the uploaded workflow being re-mapped),
 * the server's inspection of it, the mapping table, and saving with every problem shown.
 */
export function useWorkflowMapping() {
  const generations = useGenerationsStore()
  const workflow = ref<Workflow | null>(null)
  const fileName = ref<string | null>(null)
  const inspection = ref<WorkflowInspection | null>(null)
  const mapping = ref<Mapping | null>(null)
  const editingId = ref<string | null>(null)
  const busy = ref(false)
  const saving = ref(false)
  /** What went wrong reading, inspecting or saving, as sentences to show by the form. */
  const errors = ref<string[]>([])

  // A problem shown is about the table as it was: editing the table (not replacing it) makes it stale.
  watch(mapping, (now, before) => { if (now === before) errors.value = [] }, { deep: true })

  function reset(): void {
    workflow.value = null
    fileName.value = null
    inspection.value = null
    mapping.value = null
    editingId.value = null
    errors.value = []
  }

  async function run(action: () => Promise<void>, flag = busy): Promise<void> {
    flag.value = true
    errors.value = []
    try {
      await action()
    } catch (error) {
      errors.value = [errorMessage(error)]
    } finally {
      flag.value = false
    }
  }

  /** Reads a `.json` file, refuses the editor's "Save" format at once, and has the server draft a mapping. */
  async function chooseFile(file: File): Promise<void> {
    await run(async () => {
      reset()
      fileName.value = file.name
      if (file.size > MAX_WORKFLOW_BYTES) throw new Error(`${file.name} is ${formatBytes(file.size)}; a workflow file is at most ${formatBytes(MAX_WORKFLOW_BYTES)}.`)
      let raw: unknown
      try {
        raw = JSON.parse(await file.text())
      } catch {
        throw new Error(`${file.name} is not a JSON file. In ComfyUI choose Workflow → Export (API) and upload the file it saves.`)
      }
      const parsed = parseWorkflow(raw)
      if (parsed.error !== undefined) throw new Error(parsed.error)
      const name = file.name.replace(/\.json$/i, '').replace(/[_-]+/g, ' ').trim().slice(0, 100)
      const result = await generations.inspectWorkflow(parsed.workflow, name)
      workflow.value = parsed.workflow
      inspection.value = result
      mapping.value = mappingFor(result, result.manifest)
    })
  }

  /** Loads one of the user's uploaded workflows with its saved mapping. */
  async function edit(id: string): Promise<void> {
    await run(async () => {
      reset()
      const stored = await generations.getWorkflow(id)
      editingId.value = id
      workflow.value = stored.workflow
      inspection.value = stored.inspection
      mapping.value = mappingFor(stored.inspection, stored.manifest)
    })
  }

  /** Another type for a row, with its default converted from the workflow's value. */
  function changeType(row: ParameterRow, type: ParameterType): void {
    const value = row.literal.value
    const number = Number(value)
    row.type = type
    if (type === 'string') row.default = String(value)
    else if (type === 'int') row.default = Number.isFinite(number) ? Math.round(number) : 0
    else if (type === 'float') row.default = Number.isFinite(number) ? number : 0
    else if (type === 'boolean') row.default = value === true || value === 'true'
    else if (type === 'seed') row.default = null
    else {
      row.default = String(value)
      row.choicesSource = row.choicesFrom ? 'server' : 'list'
    }
  }

  /** Checks the table, then uploads or re-maps; returns the template id, or null when there are problems. */
  async function save(): Promise<string | null> {
    if (!mapping.value || !workflow.value) return null
    const { manifest, problems } = manifestFromMapping(mapping.value)
    if (!manifest) {
      errors.value = problems
      return null
    }
    let id: string | null = null
    await run(async () => {
      id = await generations.saveWorkflow({ id: editingId.value ?? undefined, name: manifest.name, workflow: workflow.value!, manifest })
    }, saving)
    return id
  }

  return { workflow, fileName, inspection, mapping, editingId, busy, saving, errors, reset, chooseFile, edit, changeType, save }
}
