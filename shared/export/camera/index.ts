/**
 * Camera trajectory files for AI video models, from a composition's active camera as the engine
 * evaluates it at every frame of a range. Pure TypeScript (no DOM, no Node APIs). Conventions
 * and what each target reads: README.md beside this file.
 */
import type { ProjectDocument } from '../../project'
import type { CameraFormat, FrameRange } from '../options'
import { cameraCtrlFile } from './formats/cameractrl'
import type { CameraFile } from './formats/file'
import { matricesFile } from './formats/matrices'
import { motionCtrlFile } from './formats/motionctrl'
import { uni3cFile } from './formats/uni3c'
import { wanFunFile } from './formats/wan-fun'
import { type CameraTrajectory, cameraTrajectory } from './trajectory'

export type { CameraFile } from './formats/file'

const WRITERS: Record<CameraFormat, (trajectory: CameraTrajectory) => CameraFile> = {
  matrices: matricesFile,
  motionctrl: motionCtrlFile,
  cameractrl: cameraCtrlFile,
  uni3c: uni3cFile,
  'wan-fun': wanFunFile,
}

/**
 * The camera of `compositionId` over `range` (end exclusive) as a `format` file. Throws
 * AppError NOT_FOUND for an unknown composition and BAD_REQUEST for a range outside it.
 */
export function exportCamera(document: ProjectDocument, compositionId: string, range: FrameRange, format: CameraFormat): CameraFile {
  return WRITERS[format](cameraTrajectory(document, compositionId, range))
}
