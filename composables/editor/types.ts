/** What the composition settings dialog edits. */
export interface CompositionSettings {
  name: string
  width: number
  height: number
  fps: number
  frameCount: number
  backgroundColor: string
}
