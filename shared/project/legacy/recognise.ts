import { AppError } from '../../errors'
import { type Raw, isRecord } from './read'

/**
 * Telling the original Lattice's project files from Lattice's own documents. Both can carry
 * `schemaVersion` (the original writes `"schemaVersion": 2` since late December 2025), so that
 * key alone says nothing. What only the original writes: a `version` string (its schema is the
 * literal "1.0.0"), and composition sizes under `settings`; ours keep `width`, `height`, `fps`
 * on the composition itself and have no `version`. README.md in this folder lists every shape.
 */
export function isOriginalLatticeProject(raw: unknown): raw is Raw {
  if (!isRecord(raw)) return false
  if (typeof raw.version === 'string') return true
  const compositions = isRecord(raw.compositions) ? Object.values(raw.compositions) : []
  return compositions.some((comp) => isRecord(comp) && isRecord(comp.settings))
}

/**
 * Lattice's own project document (any schema version): `schemaVersion` with a compositions record,
 * and none of the original's marks. Whether it is valid is for `parseDocument` to say.
 */
export function isLatticeDocument(raw: unknown): raw is Raw {
  return isRecord(raw) && 'schemaVersion' in raw && isRecord(raw.compositions) && !isOriginalLatticeProject(raw)
}

/** The `schemaVersion` values the original ever wrote: none (its version 1) or 2. */
const ORIGINAL_SCHEMA_VERSIONS: readonly unknown[] = [undefined, 1, 2]

/**
 * The original's own schema versions differ only in names (its v1 → v2 migration renamed
 * anchorPoint, inPoint/outPoint, timeRemap and solo), which the importer reads either way. A
 * number it never wrote means a shape nobody here has seen, so the file is refused rather than
 * half-read.
 */
export function checkOriginalSchemaVersion(raw: Raw): void {
  if (ORIGINAL_SCHEMA_VERSIONS.includes(raw.schemaVersion)) return
  const shown = String(JSON.stringify(raw.schemaVersion)).slice(0, 40)
  throw new AppError(
    'BAD_REQUEST',
    `This original Lattice project has "schemaVersion": ${shown}, which the original app never ` +
      'wrote (it wrote 2, or nothing before late December 2025); save it again from an original Lattice that writes ' +
      'schemaVersion 2, then import that file.',
  )
}
