// Uploads a workflow exported from ComfyUI ("Workflow → Export (API)"), shows the form Lattice
// drafted from it, stores it as one of your templates and runs it once.
//
//   LATTICE_URL=http://localhost:3000 LATTICE_TOKEN=lat_… npx tsx examples/upload-workflow.ts my_workflow_api.json "a lantern in fog"
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { createLatticeClient } from 'lattice/client'

const url = process.env.LATTICE_URL ?? 'http://localhost:3000'
const token = process.env.LATTICE_TOKEN
const [file, prompt = 'a lantern in fog, night'] = process.argv.slice(2)
if (!token || !file) {
  console.error(!token ? 'Set LATTICE_TOKEN to an API token (Settings → API tokens).' : 'Name the workflow file: upload-workflow.ts <workflow_api.json> [prompt]')
  process.exit(2)
}

const lattice = createLatticeClient({ url, token })
const workflow = JSON.parse(await readFile(file, 'utf8'))
const name = basename(file).replace(/(_api)?\.json$/i, '')

const draft = await lattice.api.comfy.workflows.inspect.mutate({ workflow, name })
for (const warning of draft.warnings) console.log(`warning: ${warning}`)
console.log(`checked against ${draft.server ?? 'no server (types guessed from the values)'}`)
for (const parameter of draft.manifest.parameters) {
  console.log(`parameter ${parameter.name} (${parameter.type}) → ${parameter.targets.map((t) => `#${t.node}.${t.input}`).join(', ')}`)
}
for (const input of draft.manifest.inputs) console.log(`picture ${input.name} → #${input.target.node}.${input.target.input}`)
console.log(`outputs: ${draft.manifest.outputs.map((node) => `#${node}`).join(', ')}`)

const { id } = await lattice.api.comfy.workflows.upload.mutate({ name, workflow, manifest: draft.manifest })
console.log(`uploaded as template ${id}`)

if (draft.manifest.inputs.some((input) => input.required)) {
  console.log('it takes pictures: pick them on the Generate page, or pass asset ids as `inputs`')
} else {
  const hasPrompt = draft.manifest.parameters.some((p) => p.name === 'prompt')
  const generation = await lattice.api.comfy.generations.create.mutate({ templateId: id, params: hasPrompt ? { prompt } : {} })
  const status = await lattice.waitForGeneration(generation.id, ({ event }) => {
    if (event.type === 'status') console.log(`generation ${event.status}${event.error ? `: ${event.error}` : ''}`)
  })
  const done = await lattice.api.comfy.generations.get.query({ id: generation.id })
  console.log(`${status}: ${done.outputs.length ? `assets ${done.outputs.join(', ')}` : done.error ?? ''}`)
}
