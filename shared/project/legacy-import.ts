import { AppError } from '../errors'
import { LIMITS } from '../limits'
import type { CompositionInput } from './composition'
import { formatZodIssues } from './issues'
import type { LayerInput } from './layers'
import { importComposition } from './legacy/composition'
import { type Raw, asRecord, isRecord, str } from './legacy/read'
import { checkOriginalSchemaVersion, isOriginalLatticeProject } from './legacy/recognise'
import { CURRENT_SCHEMA_VERSION, type ProjectDocument, projectDocumentSchema } from './schema'

export interface LegacyImportResult {
  document: ProjectDocument
  /** One sentence per thing that could not be carried over, naming the layer or composition. */
  warnings: string[]
  /** The project name from the file (`meta.name`), for the new project row. */
  name: string
}

function checkIsLegacyProject(raw: unknown): asserts raw is Raw {
  // Recent original files carry schemaVersion too; only files without the original's marks are ours.
  if (isRecord(raw) && 'schemaVersion' in raw && !isOriginalLatticeProject(raw)) {
    throw new AppError('BAD_REQUEST', 'This file is already a Lattice project document; open it instead of importing it.')
  }
  const looksLikeProject = isRecord(raw) && (isRecord(raw.compositions) || Array.isArray(raw.layers))
  if (!looksLikeProject || typeof raw.version !== 'string') {
    throw new AppError(
      'BAD_REQUEST',
      'This file is not an original Lattice project (expected "version": "1.0.0" and "compositions"); pick the project .json file.',
    )
  }
  if (!raw.version.startsWith('1.')) {
    throw new AppError(
      'BAD_REQUEST',
      `Original Lattice project version "${raw.version}" is not supported; only 1.x projects can be imported.`,
    )
  }
  checkOriginalSchemaVersion(raw)
}

/** Files from before multi-composition support keep one composition as `composition` + `layers`. */
function legacyCompositions(raw: Raw): [string, Raw][] {
  if (isRecord(raw.compositions)) {
    const entries = Object.entries(raw.compositions).filter(
      // "__proto__" would become the prototype, not a key, of the objects built from these.
      (entry): entry is [string, Raw] => entry[0] !== '' && entry[0] !== '__proto__' && isRecord(entry[1]),
    )
    if (entries.length > 0) return entries
  }
  if (Array.isArray(raw.layers)) {
    return [['main', { id: 'main', name: 'Main', settings: asRecord(raw.composition), layers: raw.layers }]]
  }
  throw new AppError('BAD_REQUEST', 'This Lattice project has no compositions to import.')
}

/**
 * Nested compositions must exist and must not contain their parent. Walking from the main
 * composition, a reference back to a composition still being walked closes a loop: that layer
 * (not the main composition's own) becomes a null layer.
 */
function repairNesting(
  compositions: Record<string, CompositionInput>,
  mainId: string,
  addWarning: (message: string) => void,
): void {
  const done = new Set<string>()
  const walking = new Set<string>()
  const visit = (key: string): void => {
    const comp = Object.hasOwn(compositions, key) ? compositions[key] : undefined
    if (!comp || done.has(key)) return
    walking.add(key)
    comp.layers = (comp.layers ?? []).map((layer): LayerInput => {
      if (layer.kind !== 'nestedComposition') return layer
      const target = layer.data.compositionId
      let problem: string | null = null
      if (!Object.hasOwn(compositions, target)) problem = `nested composition "${target}" does not exist`
      else if (walking.has(target)) {
        problem = `nesting "${compositions[target]?.name ?? target}" would make "${comp.name ?? key}" contain itself`
      } else visit(target)
      if (!problem) return layer
      const where = `Layer "${layer.name ?? layer.id}" (nestedComp) in composition "${comp.name ?? key}"`
      addWarning(`${where}: ${problem}; kept as a null layer.`)
      const { data: _dropped, ...rest } = layer
      return { ...rest, kind: 'null' }
    })
    walking.delete(key)
    done.add(key)
  }
  visit(mainId)
  for (const key of Object.keys(compositions)) visit(key)
}

/**
 * Best-effort import of a project file from the original Lattice (`version: "1.0.0"`, with or
 * without `schemaVersion`; every shape it wrote is listed in legacy/README.md). What has
 * no equivalent here (particle, 3D model and other layer types, expressions, workflow mapping,
 * media, whose asset ids are not ours and must be re-uploaded) is dropped or kept as a null
 * layer, each with a warning. Throws AppError('BAD_REQUEST') when `raw` is not such a project.
 */
export function importLegacyProject(raw: unknown): LegacyImportResult {
  checkIsLegacyProject(raw)
  const warnings: string[] = []
  const addWarning = (message: string) => {
    if (!warnings.includes(message)) warnings.push(message)
  }
  const assets = asRecord(raw.assets)
  const assetName = (id: unknown) => {
    if (typeof id !== 'string' || id === '') return undefined
    const asset = asRecord(assets[id])
    return str(asset.filename) || str(asset.name) || id
  }

  const compositions: Record<string, CompositionInput> = {}
  for (const [id, comp] of legacyCompositions(raw)) {
    compositions[id] = importComposition(comp, id, { assetName, addWarning })
  }
  let mainCompositionId = str(raw.mainCompositionId) ?? ''
  if (!Object.hasOwn(compositions, mainCompositionId)) {
    const fallback = Object.keys(compositions)[0] ?? 'main'
    if (raw.mainCompositionId !== undefined) {
      const fallbackName = compositions[fallback]?.name ?? fallback
      addWarning(`Main composition "${mainCompositionId}" was not found; using "${fallbackName}".`)
    }
    mainCompositionId = fallback
  }
  repairNesting(compositions, mainCompositionId, addWarning)

  const parsed = projectDocumentSchema.safeParse({ schemaVersion: CURRENT_SCHEMA_VERSION, compositions, mainCompositionId })
  if (!parsed.success) {
    throw new AppError('BAD_REQUEST', `This Lattice project could not be imported: ${formatZodIssues(parsed.error)}`)
  }
  const name = (str(asRecord(raw.meta).name) ?? '').trim().slice(0, LIMITS.maxProjectNameLength) || 'Imported project'
  return { document: parsed.data, warnings, name }
}
