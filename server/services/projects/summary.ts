import type { ProjectDocument } from '../../../shared/project'

export interface ProjectSummary {
  width: number
  height: number
  fps: number
  frameCount: number
  compositionCount: number
  layerCount: number
}

/** The facts a project list shows, so lists never load whole documents. */
export function summarize(document: ProjectDocument): ProjectSummary {
  const compositions = Object.values(document.compositions)
  const main = document.compositions[document.mainCompositionId] ?? compositions[0]
  return {
    width: main?.width ?? 0,
    height: main?.height ?? 0,
    fps: main?.fps ?? 0,
    frameCount: main?.frameCount ?? 0,
    compositionCount: compositions.length,
    layerCount: compositions.reduce((n, c) => n + c.layers.length, 0),
  }
}
