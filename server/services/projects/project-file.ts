import { AppError } from '../../../shared/errors'
import { importLegacyProject, parseDocument, type ProjectDocument } from '../../../shared/project'
import { isLatticeDocument, isOriginalLatticeProject } from '../../../shared/project/legacy/recognise'
import { CURRENT_SCHEMA_VERSION } from '../../../shared/project/schema'

/** The `.lattice.json` file a project is exported to and imported from. */
export const PROJECT_FILE_FORMAT = 'lattice.project'

export interface ProjectFile {
  format: typeof PROJECT_FILE_FORMAT
  schemaVersion: number
  name: string
  exportedAt: string
  document: ProjectDocument
}

export function toProjectFile(name: string, document: ProjectDocument): ProjectFile {
  return { format: PROJECT_FILE_FORMAT, schemaVersion: CURRENT_SCHEMA_VERSION, name, exportedAt: new Date().toISOString(), document }
}

export interface ReadProjectFile {
  name: string | null
  document: ProjectDocument
  source: 'lattice-file' | 'document' | 'legacy'
  warnings: string[]
}

/**
 * Accepts what users have on disk: an exported `.lattice.json`, a bare project document of any
 * known schema version, or a project file of the original Lattice (converted with warnings).
 */
export function readProjectFile(raw: unknown): ReadProjectFile {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AppError('BAD_REQUEST', 'That file is not a project: expected a JSON object from "Export project".')
  }
  const record = raw as Record<string, unknown>
  if (record.format === PROJECT_FILE_FORMAT) {
    const { document, migratedFrom } = parseDocument(record.document)
    const warnings = migratedFrom === null ? [] : [`Upgraded from project format version ${migratedFrom}.`]
    return { name: typeof record.name === 'string' ? record.name : null, document, source: 'lattice-file', warnings }
  }
  // Original files written since late 2025 carry schemaVersion too: that key alone is not ours.
  if (isLatticeDocument(record)) {
    const { document, migratedFrom } = parseDocument(record)
    return { name: null, document, source: 'document', warnings: migratedFrom === null ? [] : [`Upgraded from project format version ${migratedFrom}.`] }
  }
  if ('schemaVersion' in record && !isOriginalLatticeProject(record)) {
    throw new AppError(
      'BAD_REQUEST',
      'That file has a schemaVersion but no compositions, so it is neither a Lattice project nor an original Lattice ' +
        'project; pick a file saved with "Export project" or a project .json saved by the original Lattice.',
    )
  }
  const legacy = importLegacyProject(raw)
  return { name: legacy.name, document: legacy.document, source: 'legacy', warnings: legacy.warnings }
}
