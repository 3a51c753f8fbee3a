import type { JsonText } from '../../../shared/json-text'
import { parseDocument, type ProjectDocument } from '../../../shared/project'
import { CURRENT_SCHEMA_VERSION } from '../../../shared/project/schema'

/**
 * Documents are stored as JSON text with `schemaVersion` first. Only this service writes the
 * column, and only documents it validated, so text that starts with the current version needs
 * no parse to be opened; anything else (older versions, rows converted from JSONB) is read
 * through `parseDocument`.
 */
const CURRENT_PREFIX = `{"schemaVersion":${CURRENT_SCHEMA_VERSION},`

/** Whether text that parsed to a valid, canonical document can be stored as it is. */
export function isStoredForm(text: string): boolean {
  return text.startsWith(CURRENT_PREFIX)
}

/** The text to store for a validated document. */
export function documentText(document: ProjectDocument): JsonText<ProjectDocument> {
  const { schemaVersion, ...rest } = document
  return JSON.stringify({ schemaVersion, ...rest })
}

/** A stored document as current-version JSON text, migrated first when it is older. */
export function openStoredDocument(stored: string): { documentJson: JsonText<ProjectDocument>; migratedFrom: number | null } {
  if (stored.startsWith(CURRENT_PREFIX)) return { documentJson: stored, migratedFrom: null }
  const { document, migratedFrom } = parseDocument(JSON.parse(stored))
  return { documentJson: documentText(document), migratedFrom }
}
