import { AppError } from '../errors'
import { LIMITS } from '../limits'
import { dimensionProblem } from './dimensions'
import { formatZodIssues } from './issues'
import { CURRENT_SCHEMA_VERSION, type ProjectDocument, projectDocumentSchema } from './schema'

export interface NewDocumentOptions {
  /** Project name; also the main composition's name. */
  name: string
  width?: number
  height?: number
  fps?: number
  frameCount?: number
}

/** The id of the main composition of new documents; ids only need to be unique per document. */
export const MAIN_COMPOSITION_ID = 'main'

function settingsProblem(name: string, width: number, height: number, fps: number, frameCount: number): string | null {
  const trimmed = name.trim()
  if (trimmed.length === 0) return 'Project name is empty; give the project a name.'
  if (trimmed.length > LIMITS.maxProjectNameLength) {
    return `Project name is ${trimmed.length} characters; shorten it to ${LIMITS.maxProjectNameLength} or fewer.`
  }
  const size = dimensionProblem('Width', width) ?? dimensionProblem('Height', height)
  if (size) return size
  if (!Number.isFinite(fps) || fps <= 0 || fps > LIMITS.maxFps) {
    return `Frame rate must be above 0 and at most ${LIMITS.maxFps} fps (got ${fps}).`
  }
  if (!Number.isInteger(frameCount) || frameCount < 1 || frameCount > LIMITS.maxFrameCount) {
    return `Frame count must be a whole number from 1 to ${LIMITS.maxFrameCount} (got ${frameCount}).`
  }
  return null
}

/**
 * A new document with one empty main composition (defaults: 1280×720, 16 fps, 81 frames, the
 * usual Wan video setup). Throws AppError('BAD_REQUEST') with an actionable message when a
 * setting is out of range, e.g. a width that is not a multiple of 8.
 */
export function createEmptyDocument({
  name,
  width = 1280,
  height = 720,
  fps = 16,
  frameCount = 81,
}: NewDocumentOptions): ProjectDocument {
  const problem = settingsProblem(name, width, height, fps, frameCount)
  if (problem) throw new AppError('BAD_REQUEST', problem)

  const parsed = projectDocumentSchema.safeParse({
    schemaVersion: CURRENT_SCHEMA_VERSION,
    mainCompositionId: MAIN_COMPOSITION_ID,
    compositions: {
      [MAIN_COMPOSITION_ID]: { id: MAIN_COMPOSITION_ID, name: name.trim(), width, height, fps, frameCount },
    },
  })
  // The checks above mirror the schema; this catches them drifting apart.
  if (!parsed.success) throw new AppError('BAD_REQUEST', `Invalid project settings: ${formatZodIssues(parsed.error)}`)
  return parsed.data
}
