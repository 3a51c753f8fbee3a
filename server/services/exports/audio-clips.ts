import type { AudioClip } from '../../export/encode'
import { valueAt } from '../../../shared/engine'
import type { Composition } from '../../../shared/project'
import type { ExportPlan } from './plan'

/** What the clip builder needs to know of an asset: its file and whether it has sound. */
export interface SoundSource {
  path: string
  durationSeconds: number
  hasAudio: boolean
}

export interface AudioPlan {
  clips: AudioClip[]
  /** Layers whose sound could not be placed as they play, for the job's log. */
  skipped: string[]
}

/**
 * The sound of the composition's audio and video layers over the export's range, as clips on
 * the export's timeline. Sound is taken at its own speed: layers whose time is stretched (time
 * remap, playback rate, loops) are left out rather than played wrong, and an animated volume is
 * taken at the clip's first frame. Nested compositions' sound is not mixed.
 */
export async function audioClips(composition: Composition, plan: ExportPlan, source: (assetId: string) => Promise<SoundSource | null>): Promise<AudioPlan> {
  const clips: AudioClip[] = []
  const skipped: string[] = []
  const fps = plan.fps
  for (const layer of composition.layers) {
    if ((layer.kind !== 'audio' && layer.kind !== 'video') || !layer.visible) continue
    const from = Math.max(layer.inPoint, plan.start)
    const to = Math.min(layer.outPoint, plan.end)
    if (to <= from) continue
    if (layer.kind === 'video' && (layer.data.timeRemap || layer.data.playbackRate !== 1 || layer.data.loop)) {
      skipped.push(`${layer.name} (its time is remapped, looped or sped up)`)
      continue
    }
    const sound = await source(layer.data.assetId)
    if (!sound?.hasAudio) continue
    const offsetSeconds = (from - layer.startTime) / fps
    const durationSeconds = Math.min((to - from) / fps, sound.durationSeconds - Math.max(0, offsetSeconds))
    if (durationSeconds <= 0) continue
    const volume = layer.kind === 'audio' ? valueAt(layer.data.volume, from) / 100 : 1
    clips.push({
      path: sound.path,
      // A layer whose source starts after its in point is silent until then.
      startSeconds: (from - plan.start) / fps + Math.max(0, -offsetSeconds),
      offsetSeconds: Math.max(0, offsetSeconds),
      durationSeconds,
      volume,
    })
  }
  return { clips, skipped }
}
