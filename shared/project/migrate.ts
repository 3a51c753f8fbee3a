import { AppError } from '../errors'
import { isCanonicalDocument } from './canonical'
import { formatZodIssues } from './issues'
import { CURRENT_SCHEMA_VERSION, type ProjectDocument, projectDocumentSchema } from './schema'

type JsonObject = Record<string, unknown>
/** Rewrites a document of version N into version N + 1; input is untrusted JSON. */
type Migration = (doc: JsonObject) => JsonObject

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** v1 kept opacity beside the transform and called the composition colour `background`. */
function migrateV1ToV2(doc: JsonObject): JsonObject {
  const compositions = isObject(doc.compositions) ? doc.compositions : {}
  const migrated: JsonObject = {}
  for (const [key, comp] of Object.entries(compositions)) {
    if (!isObject(comp)) {
      migrated[key] = comp
      continue
    }
    const { background, ...next } = comp
    if (next.backgroundColor === undefined && background !== undefined) next.backgroundColor = background
    if (Array.isArray(comp.layers)) next.layers = comp.layers.map(moveOpacityIntoTransform)
    migrated[key] = next
  }
  return { ...doc, schemaVersion: 2, compositions: migrated }
}

function moveOpacityIntoTransform(layer: unknown): unknown {
  if (!isObject(layer) || !('opacity' in layer)) return layer
  const { opacity, ...rest } = layer
  const transform = isObject(rest.transform) ? rest.transform : {}
  return { ...rest, transform: { ...transform, opacity } }
}

/** Keyed by the version a migration reads; each yields the next version. */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {
  1: migrateV1ToV2,
}

function readVersion(raw: unknown): number {
  if (!isObject(raw)) throw new AppError('BAD_REQUEST', 'Project document must be a JSON object.')
  const version = raw.schemaVersion
  if (version === undefined) {
    throw new AppError(
      'BAD_REQUEST',
      'Project document has no schemaVersion; if it is a project from the original Lattice, import it instead.',
    )
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new AppError('BAD_REQUEST', `Project document has an invalid schemaVersion (${JSON.stringify(version)}).`)
  }
  if (version > CURRENT_SCHEMA_VERSION) {
    throw new AppError(
      'BAD_REQUEST',
      `Project document has schemaVersion ${version}, newer than this Lattice reads (${CURRENT_SCHEMA_VERSION}); ` +
        'update Lattice to open it.',
    )
  }
  return version
}

/**
 * Reads a stored or uploaded document of any known version: migrates it step by step to the
 * current version, then validates it. `migratedFrom` is the original version when a migration
 * ran, else null. A document already in canonical form is returned itself rather than a copy. Throws AppError('BAD_REQUEST') naming the first problems and their paths.
 */
export function parseDocument(raw: unknown): { document: ProjectDocument; migratedFrom: number | null } {
  const version = readVersion(raw)
  // Nothing for zod to fill in or strip: the document is returned as it is, not copied.
  if (isCanonicalDocument(raw)) return { document: raw, migratedFrom: null }
  let doc = raw as JsonObject
  for (let v = version; v < CURRENT_SCHEMA_VERSION; v++) {
    const migrate = MIGRATIONS[v]
    if (!migrate) throw new AppError('BAD_REQUEST', `Project documents of schemaVersion ${v} can no longer be opened.`)
    doc = migrate(doc)
  }
  const parsed = projectDocumentSchema.safeParse(doc)
  if (!parsed.success) {
    throw new AppError('BAD_REQUEST', `Project document is invalid: ${formatZodIssues(parsed.error)}`, {
      issues: parsed.error.issues.slice(0, 20),
    })
  }
  return { document: parsed.data, migratedFrom: version < CURRENT_SCHEMA_VERSION ? version : null }
}
