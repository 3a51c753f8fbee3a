import { mkdir, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { writeZip } from '../../export/zip'
import type { Template } from '../generations/templates'
import { bundleInputs } from '../../../shared/export/bundle-inputs'
import { bundleReadme, bundleWorkflow, modelFilesOf } from '../../../shared/export/bundle-workflow'
import type { ExportBundle, ExportOutput } from '../../../shared/export/options'

/** The template a bundle names, for the export job and for checking a request before it is queued. */
export interface TemplateSource {
  get(ownerId: string, id: string): Promise<Template>
}

const WORKFLOW_FILE = 'workflow_api.json'
const README_FILE = 'README.txt'

/** Checks a bundle against its template and the export's outputs; throws a 400 that says what to change. */
export function checkBundle(template: Template, bundle: ExportBundle, outputs: ExportOutput[]): void {
  const inputs = bundleInputs(template.manifest, outputs, bundle.inputs)
  const files = Object.fromEntries(Object.keys(inputs).map((name) => [name, 'check']))
  bundleWorkflow(template.workflow, template.manifest, files, bundle.params)
}

/**
 * Zips every output's files with the template's workflow reading them (by the names they get in
 * ComfyUI's `input/` folder) and a README saying where to put what. A picture input reads the
 * first frame of its sequence.
 */
export async function writeBundle(args: {
  template: Template
  bundle: ExportBundle
  outputs: ExportOutput[]
  /** Each output's files, in output order (frames in frame order). */
  files: string[][]
  directory: string
  baseName: string
  signal: AbortSignal
}): Promise<{ path: string; name: string; entries: string[] }> {
  const { template, bundle, outputs } = args
  const inputs = bundleInputs(template.manifest, outputs, bundle.inputs)
  const names = Object.fromEntries(Object.entries(inputs).map(([input, index]) => [input, basename(args.files[index]![0]!)]))
  const workflow = bundleWorkflow(template.workflow, template.manifest, names, bundle.params)
  const extras = join(args.directory, 'bundle')
  await mkdir(extras, { recursive: true })
  await writeFile(join(extras, WORKFLOW_FILE), JSON.stringify(workflow, null, 2))
  await writeFile(join(extras, README_FILE), bundleReadme(template.manifest.name, names, { workflowFile: WORKFLOW_FILE, models: modelFilesOf(workflow) }))
  const entries = [
    ...args.files.flat().map((path) => ({ name: basename(path), path })),
    { name: WORKFLOW_FILE, path: join(extras, WORKFLOW_FILE) },
    { name: README_FILE, path: join(extras, README_FILE) },
  ]
  const name = `${args.baseName}.zip`
  const path = join(args.directory, name)
  await writeZip(entries, path, args.signal)
  return { path, name, entries: entries.map((entry) => entry.name) }
}
